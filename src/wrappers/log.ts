// Optional logging. Off unless the caller passes a level; lines never carry headers or bodies.

export type LogLevel = "off" | "error" | "warn" | "info" | "debug";

/** Anything console-compatible. */
export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

const RANK: Record<LogLevel, number> = { off: 0, error: 1, warn: 2, info: 3, debug: 4 };

export type Log = (level: Exclude<LogLevel, "off">, message: string) => void;

export function createLog(logger: Logger | undefined, level: LogLevel = "off", redact: (s: string) => string): Log {
  const threshold = RANK[level];
  if (!logger || threshold === 0) return () => {};
  return (lineLevel, message) => {
    if (RANK[lineLevel] <= threshold) logger[lineLevel](`[enable3] ${redact(message)}`);
  };
}

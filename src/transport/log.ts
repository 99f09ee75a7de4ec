// Optional logging. Off unless the caller passes a level; lines never carry headers or bodies.

/** How much a {@link Logger} hears: `"off"` (the default) to `"debug"` (a line per attempt). */
export type LogLevel = "off" | "error" | "warn" | "info" | "debug";

/** Anything console-compatible: the client writes at `warn` and `debug`. */
export interface Logger {
  /** Not written by the client: a call that fails throws its error to the caller instead. */
  error(message: string): void;
  /** The SDK stopped retrying early (the retry budget, a Retry-After over maxRetryAfterMs), or a hook threw (once per hook). */
  warn(message: string): void;
  /** Not written by the client today. */
  info(message: string): void;
  /** A line per attempt, and per wait before a retry. */
  debug(message: string): void;
}

export const LOG_LEVELS: readonly LogLevel[] = ["off", "error", "warn", "info", "debug"];

/**
 * One writer per enabled level; a level that is off is absent, so `log.debug?.(`…`)` does not even
 * build its message (an optional call skips its arguments): logging off costs nothing per call.
 */
export type Log = Partial<Record<Exclude<LogLevel, "off">, (message: string) => void>>;

export function createLog(logger: Logger | undefined, level: LogLevel = "off", redact: (s: string) => string): Log {
  const log: Log = {};
  if (logger) {
    for (const name of LOG_LEVELS.slice(1, LOG_LEVELS.indexOf(level) + 1) as Exclude<LogLevel, "off">[]) {
      log[name] = (message) => {
        // a failing log sink must never change a call's outcome
        try {
          logger[name](`[enable3] ${redact(message)}`);
        } catch {}
      };
    }
  }
  return log;
}

// The outbox's own failures: its store could not be opened or written, or it is closed. API and
// network failures never surface here: they are retried, or the record becomes dead. The class lives
// with every other in errors/ (errors/outbox.ts); it is re-exported here so that imports of it stay as they were.
import { Enable3OutboxError, type OutboxErrorReason } from "../errors/outbox.js";

export { Enable3OutboxError, type OutboxErrorReason };

/** The errno code of a Node error, if it has one (ENOSPC, EIO…). */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** `error` as an Enable3OutboxError: one already is kept as it is; anything else (a raw errno, a driver's error) is wrapped with `reason`. */
export function asOutboxError(error: unknown, reason: OutboxErrorReason, what: string): Enable3OutboxError {
  if (error instanceof Enable3OutboxError) return error;
  const detail = errnoCode(error) ?? (error instanceof Error ? error.message : String(error));
  return new Enable3OutboxError(reason, `${what} (${detail})`, error);
}

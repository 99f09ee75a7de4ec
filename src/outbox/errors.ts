// The outbox's own failures: its store could not be opened or written, or it is closed. API and
// network failures never surface here: they are retried, or the record becomes dead.
import { Enable3Error } from "../errors/classes.js";

/** Why an outbox operation failed. */
export type OutboxErrorReason =
  /** Another process holds the fileStore directory. */
  | "locked"
  /** The fileStore's lock was deleted or replaced while this process held it: it stores nothing more (restart it once the other writer is stopped). */
  | "lock_lost"
  /** The store could not be opened (a missing directory, no permission, an unreadable file). */
  | "open_failed"
  /** A write failed (a full disk, an I/O error): the records of that call were not stored. */
  | "write_failed"
  /** The outbox holds `maxPending` records already: nothing was stored. */
  | "full"
  /** The outbox was closed. */
  | "closed"
  /** The store could not read a record (a damaged file): it was skipped. */
  | "corrupt"
  /** The API refuses this server (401, 403, a proxy's 407): delivery is paused, records stay queued. */
  | "paused"
  /** The store could not hand out records for delivery (the database unreachable): delivery asks again. */
  | "read_failed"
  /** So many records wait behind earlier records of their ordering key that a fileStore stops reading ahead until those move on. */
  | "held_back";

/**
 * The outbox could not do what was asked; `reason` says why. A rejected `enqueue` stored nothing:
 * the event is still the caller's to keep or retry.
 * @example
 * try { await outbox.enqueue(event); }
 * catch (e) { if (e instanceof Enable3OutboxError && e.reason === "full") shedLoad(); }
 */
export class Enable3OutboxError extends Enable3Error {
  /** The class's name: it survives serialisation where `instanceof` does not. */
  override name = "Enable3OutboxError";
  /** Why it failed, as a stable name. */
  readonly reason: OutboxErrorReason;
  constructor(reason: OutboxErrorReason, message: string, cause?: unknown) {
    super(message, cause === undefined ? {} : { cause }, "outbox_failed");
    this.reason = reason;
  }
}

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

// The durable outbox's one error class and its reasons (thrown by enable3-client/outbox).
import { Enable3Error } from "./base.js";

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
  /** A postgresStore worker cannot LISTEN (no connection to be had, PgBouncer in transaction mode, the connection dropped): it polls, and listens again once it can. */
  | "listen_unavailable"
  /** So many records wait behind earlier records of their ordering key that a fileStore stops reading ahead until those move on. */
  | "held_back";

/**
 * The outbox could not do what was asked; `reason` says why. Rejected from the outbox's methods
 * (`enqueue`: `full`, `closed`, `write_failed`; any of them when the store could not be opened:
 * `open_failed`, `locked`) and told to `onError` for the trouble delivery works around (`read_failed`,
 * `corrupt`, `paused`, `lock_lost`). A rejected `enqueue` stored nothing: the event is still the caller's to keep or retry.
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

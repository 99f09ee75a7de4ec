// A transaction that stays open across calls: begun in one place and committed or rolled back in
// another (the withdrawal receiver begins it when it claims a transaction, hands it to the operator's
// handler, and commits it with the processed mark). withTransaction (sql-client.ts) is the callback
// form of the same rules, for work that fits in one function.
import { withTimeout } from "../internal/timers.js";
import type { SqlClient, SqlPoolClient } from "./sql-client.js";

/** An open transaction on a client of its own: end it exactly once, with commit() or rollback(). */
export interface OpenTransaction<C extends SqlPoolClient = SqlPoolClient> {
  /** The client inside BEGIN: run the transaction's statements on it. */
  readonly client: C;
  /** COMMIT, then hands the client back. A failed COMMIT rolls back (PostgreSQL does) and rethrows. */
  commit(): Promise<void>;
  /** ROLLBACK, then hands the client back; a client that cannot roll back is discarded, never reused. */
  rollback(): Promise<void>;
  /**
   * Ends the transaction while someone may still be using its client (a handler past its deadline): the
   * server ends its session (pg_terminate_backend, which also stops a query in progress; the open
   * transaction rolls back) and the client is closed, never handed back, so a statement sent on it later
   * fails instead of running outside the transaction.
   */
  discard(): Promise<void>;
}

/** How long discard() waits for a connection to end the session with, before only closing its own. */
const TERMINATE_WAIT_MS = 2_000;

/** BEGIN on a client of `pool`; the client goes back to the pool when the transaction ends. */
export async function beginTransaction<C extends SqlPoolClient>(pool: SqlClient & { connect(): Promise<C> }): Promise<OpenTransaction<C>> {
  const client = await pool.connect();
  // a checked-out pg client whose connection dies emits 'error', which nobody else listens to while it
  // is out of the pool: without a listener the process would crash; the next query fails instead
  const events = client as unknown as { on?(event: "error", f: () => void): void; removeListener?(event: "error", f: () => void): void };
  const ignore = () => {};
  events.on?.("error", ignore);
  const release = (error?: unknown, keepListening = false) => {
    // a discarded client may still report its end after it left: it keeps the listener
    if (!keepListening) events.removeListener?.("error", ignore);
    client.release(error === undefined ? undefined : error instanceof Error ? error : true);
  };
  try {
    await client.query("BEGIN");
  } catch (error) {
    release(error);
    throw error;
  }
  let ended = false;
  const end = () => {
    if (ended) throw new Error("this transaction has already ended");
    ended = true;
  };
  return {
    client,
    async commit() {
      end();
      try {
        await client.query("COMMIT");
      } catch (error) {
        // the server rolled back; the connection may be broken: do not hand it to anyone else
        release(error);
        throw error;
      }
      release();
    },
    async rollback() {
      end();
      try {
        await client.query("ROLLBACK");
      } catch (error) {
        release(error);
        return;
      }
      release();
    },
    async discard() {
      end();
      const pid = (client as { processID?: unknown }).processID;
      if (typeof pid === "number") {
        // not allowed, or the server is gone: closing is enough
        await withTimeout(
          pool.query("SELECT pg_terminate_backend($1)", [pid]).catch(() => {}),
          TERMINATE_WAIT_MS,
          undefined,
        );
      }
      release(new Error("the transaction was discarded"), true);
    },
  };
}

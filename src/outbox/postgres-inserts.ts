// A postgresStore session's inserts (postgres-session.ts), each with its NOTIFY in the same statement:
// on a given client (the caller's transaction), or on the pool, where enqueues that arrive together
// share one statement (batcher.ts).
import type { SqlClient, SqlPool } from "../postgres/sql-client.js";
import { createBatcher } from "./batcher.js";
import type { NewRecord } from "./contract.js";

/** One enqueue's records inside a batched insert, and its own failure if the batch had to be split. */
export interface InsertCall {
  records: NewRecord[];
  failed?: { error: unknown } | undefined;
}

export interface Inserts {
  /** Inserts on this client (the caller's transaction). */
  insert(client: SqlClient, records: NewRecord[]): Promise<unknown>;
  /** Inserts on the pool, sharing one statement with the calls of the same turn; a call's own failure lands in `failed`. */
  insertTogether(calls: InsertCall[]): Promise<void>;
}

/**
 * `sql` is postgres-plans.ts insertAndNotify. If the database refuses a shared statement, each enqueue
 * is inserted on its own, so one refused record fails its own call only.
 */
export function createInserts(pool: SqlPool, sql: string, channel: string): Inserts {
  const insert = (client: SqlClient, records: NewRecord[]) =>
    client.query(sql, [
      records.map((r) => r.kind),
      records.map((r) => r.id),
      records.map((r) => JSON.stringify(r.body)),
      records.map((r) => (r.context === undefined ? null : JSON.stringify(r.context))),
      channel,
      records.map((r) => r.traceparent ?? null),
      records.map((r) => r.orderingKey ?? null),
    ]);
  const insertTogether = createBatcher<InsertCall>(0, async (calls) => {
    try {
      await insert(
        pool,
        calls.flatMap((c) => c.records),
      );
    } catch (error) {
      if (calls.length === 1) throw error;
      const alone = async (c: InsertCall) => {
        await insert(pool, c.records).catch((e) => {
          c.failed = { error: e };
        });
      };
      for (const c of calls) await alone(c); // one after another: a key's records keep the order of their calls
    }
  });
  return { insert, insertTogether };
}

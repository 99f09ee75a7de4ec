// The slice of node-postgres (`pg`) the SDK uses, as plain interfaces: an operator's Pool, PoolClient
// or Client fits them as they are, so `pg` stays an optional peer the SDK never imports itself.
import { beginTransaction } from "./transaction.js";

/** What a query answers with: the rows, and how many rows the statement touched. */
export interface SqlResult<Row> {
  rows: Row[];
  rowCount: number | null;
}

/** Anything that runs a parameterised statement: a pg Pool, PoolClient or Client. */
export interface SqlClient {
  /** Rows come back unknown: each caller says what its statement returns (`rowsOf`). */
  query(text: string, values?: unknown[]): Promise<SqlResult<unknown>>;
}

/** A statement's rows, as the caller knows its statement returns them. */
export function rowsOf<Row>(result: SqlResult<unknown>): Row[] {
  return result.rows as Row[];
}

/** A client checked out of a pool, to hold a transaction: release it when done. */
export interface SqlPoolClient extends SqlClient {
  release(error?: Error | boolean): void;
}

/** A pg Pool (or anything that hands out clients the same way). */
export interface SqlPool extends SqlClient {
  connect(): Promise<SqlPoolClient>;
}

/**
 * Runs `work` inside BEGIN…COMMIT on one client of `pool`; ROLLBACK when it throws (and rethrows). The
 * rules of an open transaction (transaction.ts), a client whose connection dies included: its error
 * fails the work rather than crashing the process.
 */
export async function withTransaction<T>(pool: SqlPool, work: (client: SqlPoolClient) => Promise<T>): Promise<T> {
  const open = await beginTransaction(pool);
  let result: T;
  try {
    result = await work(open.client);
  } catch (error) {
    await open.rollback();
    throw error;
  }
  await open.commit();
  return result;
}

// The slice of node-postgres (`pg`) the SDK uses, as plain interfaces: an operator's Pool, PoolClient
// or Client fits them as they are, so `pg` stays an optional peer the SDK never imports itself.

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

/** Runs `work` inside BEGIN…COMMIT on one client of `pool`; ROLLBACK when it throws (and rethrows). */
export async function withTransaction<T>(pool: SqlPool, work: (client: SqlPoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch((rollbackError: unknown) => {
      // a connection that cannot roll back is not handed to anyone else
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw error;
  } finally {
    client.release(broken ?? false);
  }
}

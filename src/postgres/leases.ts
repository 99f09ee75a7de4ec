// Leases: how many workers on many machines share rows without double work. A worker claims rows by
// writing its owner id and a lease end into them (claimed rows are skipped by everyone else with
// FOR UPDATE SKIP LOCKED while the claim commits); a worker that dies simply stops renewing, its lease
// runs out, and the rows become claimable again. Time is the database's clock, never a worker's.

/** An owner id unique to one store instance: the process id (to read in the table) and a random part. */
export function leaseOwnerId(): string {
  const g = globalThis as { process?: { pid?: number } };
  return `${g.process?.pid ?? 0}:${crypto.randomUUID()}`;
}

/** The SQL condition a row meets when nobody holds a live lease on it. */
export const UNLEASED = "(lease_until IS NULL OR lease_until <= now())";

export interface ClaimQuery {
  /** The quoted table. */
  table: string;
  /** The key column. */
  key: string;
  /** What else a claimable row must meet (beside UNLEASED), as SQL over the table's columns. */
  where: string;
  /** Which claimable rows go first. */
  orderBy: string;
}

/**
 * The statement that claims up to $3 rows for owner $1 for $2 milliseconds, skipping rows another
 * transaction is claiming right now, and returns them. The parameters: [owner, leaseMs, limit, ...extra]
 * where `extra` fills any further placeholders of `where`.
 */
export function claimStatement(q: ClaimQuery): string {
  return `UPDATE ${q.table} SET lease_owner = $1, lease_until = now() + make_interval(secs => $2::double precision / 1000)
WHERE ${q.key} IN (
  SELECT ${q.key} FROM ${q.table} WHERE ${UNLEASED} AND (${q.where}) ORDER BY ${q.orderBy} LIMIT $3 FOR UPDATE SKIP LOCKED
) RETURNING *`;
}

/** The statement that extends owner $1's leases on the keys in $3 by $2 ms; returns the keys still held. */
export function renewStatement(table: string, key: string): string {
  return `UPDATE ${table} SET lease_until = now() + make_interval(secs => $2::double precision / 1000)
WHERE ${key} = ANY($3) AND lease_owner = $1 RETURNING ${key}`;
}

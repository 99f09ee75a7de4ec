// Leases: how many workers on many machines share rows without double work. A worker claims rows by
// writing its owner id and a lease end into them (claimed rows are skipped by everyone else with
// FOR UPDATE SKIP LOCKED while the claim commits); a worker that dies simply stops renewing, its lease
// runs out, and the rows become claimable again. Time is the database's clock, never a worker's.
// The statements are pure builders; createLeaseHolder is the one renewal timer and release both
// stores use.
import type { SqlClient } from "./sql-client.js";
import { rowsOf } from "./sql-client.js";

/** An owner id unique to one store instance: the process id (to read in the table) and a random part. */
export function leaseOwnerId(): string {
  const g = globalThis as { process?: { pid?: number } };
  return `${g.process?.pid ?? 0}:${crypto.randomUUID()}`;
}

/** The SQL condition a row meets when nobody holds a live lease on it (`alias`: the table's alias, if any). */
export function unleased(alias?: string): string {
  const column = alias === undefined ? "lease_until" : `${alias}.lease_until`;
  return `(${column} IS NULL OR ${column} <= now())`;
}

/** `now()` plus the milliseconds in parameter `$n`: a lease's end, on the database's clock. */
export function leaseEnd(n: number): string {
  return `now() + make_interval(secs => $${n}::double precision / 1000)`;
}

/** A table whose rows carry a lease (`lease_owner`, `lease_until`). */
export interface LeasedTable {
  /** The quoted table. */
  table: string;
  /** The key column. */
  key: string;
  /** The key column's type, for arrays of keys (`bigint`, `text`). */
  keyType: string;
}

export interface UnleasedBatch {
  /** The quoted table. */
  table: string;
  /** The key column. */
  key: string;
  /** What else a row must meet (beside being unleased), as SQL over the table's columns. */
  where: string;
  /** Which rows go first; none: any. */
  orderBy?: string | undefined;
  /** The placeholder (or literal) of the batch's size. */
  limit: string;
}

/** The keys of up to `limit` unleased rows meeting `where`, skipping rows another transaction is writing. */
export function unleasedBatch(q: UnleasedBatch): string {
  const order = q.orderBy === undefined ? "" : ` ORDER BY ${q.orderBy}`;
  return `SELECT ${q.key} FROM ${q.table} WHERE ${unleased()} AND (${q.where})${order} LIMIT ${q.limit} FOR UPDATE SKIP LOCKED`;
}

/**
 * The statement that claims up to $3 rows for owner $1 for $2 milliseconds, skipping rows another
 * transaction is claiming right now, and returns them. The parameters: [owner, leaseMs, limit, ...extra]
 * where `extra` fills any further placeholders of `where`. `= ANY(ARRAY(…))`, not `IN (…)`: a prepared
 * statement's generic plan turned `IN` into a hash join over a Seq Scan of the whole table.
 */
export function claimStatement(q: Omit<UnleasedBatch, "limit">): string {
  return `UPDATE ${q.table} SET lease_owner = $1, lease_until = ${leaseEnd(2)}
WHERE ${q.key} = ANY(ARRAY(${unleasedBatch({ ...q, limit: "$3" })})) RETURNING *`;
}

/** The statement that extends owner $1's leases on the keys in $3 by $2 ms; returns the keys still held. */
export function renewStatement(t: LeasedTable): string {
  return `UPDATE ${t.table} SET lease_until = ${leaseEnd(2)}
WHERE ${t.key} = ANY($3::${t.keyType}[]) AND lease_owner = $1 RETURNING ${t.key}`;
}

/** The statement that hands back owner $1's leases on the keys in $2, as if never claimed. */
export function releaseStatement(t: LeasedTable): string {
  return `UPDATE ${t.table} SET lease_owner = NULL, lease_until = NULL WHERE ${t.key} = ANY($2::${t.keyType}[]) AND lease_owner = $1`;
}

/** The keys one owner holds, renewed every third of the lease while held. */
export interface LeaseHolder {
  /** Starts holding (and renewing) these keys. */
  hold(keys: Iterable<string>): void;
  /** Stops holding these keys (they were settled by another statement). */
  drop(keys: Iterable<string>): void;
  /** How many keys are held. */
  readonly size: number;
  /** Renews every held key (or these) now; resolves the keys still held (a lost one is dropped). */
  renew(keys?: readonly string[]): Promise<Set<string>>;
  /** Hands back every held key (or these), stops renewing them. */
  release(keys?: readonly string[]): Promise<void>;
  /** Stops the renewal timer (release first to hand the keys back). */
  stop(): void;
}

export interface LeaseHolderOptions {
  owner: string;
  leaseMs: number;
  /** Told when a background renewal fails (it is tried again at the next tick). */
  onError(error: unknown): void;
}

/** One owner's leases on `t`: the renewal timer and the release, written once for both stores. */
export function createLeaseHolder(client: SqlClient, t: LeasedTable, o: LeaseHolderOptions): LeaseHolder {
  const held = new Set<string>();
  const renewSql = renewStatement(t);
  const releaseSql = releaseStatement(t);
  const renew = async (keys = [...held]) => {
    if (keys.length === 0) return new Set<string>();
    const result = await client.query(renewSql, [o.owner, o.leaseMs, keys]);
    const kept = new Set(rowsOf<Record<string, unknown>>(result).map((r) => String(r[t.key])));
    for (const key of keys) if (!kept.has(key)) held.delete(key); // another worker has it now
    return kept;
  };
  const timer = setInterval(() => {
    if (held.size > 0) renew().catch(o.onError);
  }, o.leaseMs / 3);
  (timer as { unref?: () => void }).unref?.();
  return {
    hold(keys) {
      for (const key of keys) held.add(key);
    },
    drop(keys) {
      for (const key of keys) held.delete(key);
    },
    get size() {
      return held.size;
    },
    renew,
    async release(keys) {
      const going = keys ?? [...held];
      for (const key of going) held.delete(key);
      if (going.length > 0) await client.query(releaseSql, [o.owner, going]);
    },
    stop() {
      clearInterval(timer);
    },
  };
}

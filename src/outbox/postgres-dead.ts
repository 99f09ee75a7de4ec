// A postgresStore's dead rows and the workers' published status: the purge of dead rows past their
// retention (in batches of PURGE_BATCH, each its own statement taking only rows nobody holds, FOR
// UPDATE SKIP LOCKED, so a purge of millions never blocks delivery nor holds one long transaction),
// the listing of dead rows with filters, and the table read from outside (`enable3 outbox status`).
import type { SqlPool } from "../postgres/sql-client.js";
import { rowsOf } from "../postgres/sql-client.js";
import {
  type DeadFilter,
  type DeadRecord,
  HELD_BACK_LISTED,
  type HeldBackKey,
  type InspectedCounts,
  type OutboxKind,
  type PublishedStatus,
  type StoredRecord,
  type StoreInspector,
} from "./contract.js";
import { heldBackKeys, pendingByKind } from "./postgres-ordering.js";

/** Rows one purge statement deletes, at most. */
export const PURGE_BATCH = 1_000;
/** Dead rows read per page of a listing. */
const PAGE = 500;
/** A worker's status row older than this is no longer reported (it stopped long ago). */
const WORKER_SEEN_MS = 60 * 60_000;

interface DeadRow {
  seq: string;
  kind: "event" | "revenue";
  id: string;
  body: Record<string, unknown>;
  context: StoredRecord["context"] | null;
  attempts: number;
  enqueued_at: Date;
  died_at: Date | null;
  last_error: StoredRecord["lastError"] | null;
}

const AGE = "make_interval(secs => $1::double precision / 1000)";

/**
 * Removes (or, with `dryRun`, counts) the dead rows of `table` that died more than `olderThanMs` ago;
 * a real purge also forgets the status rows of workers not heard from in a day.
 */
export async function purgeDeadRows(pool: SqlPool, table: string, olderThanMs: number, dryRun: boolean): Promise<number> {
  const old = `state = 'dead' AND died_at < now() - ${AGE}`;
  if (dryRun) {
    const [row] = rowsOf<{ n: number }>(await pool.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${old}`, [olderThanMs]));
    return row?.n ?? 0;
  }
  let purged = 0;
  for (;;) {
    const { rowCount } = await pool.query(
      `DELETE FROM ${table} WHERE seq IN (SELECT seq FROM ${table} WHERE ${old} ORDER BY died_at, seq LIMIT ${PURGE_BATCH} FOR UPDATE SKIP LOCKED)`,
      [olderThanMs],
    );
    purged += rowCount ?? 0;
    if ((rowCount ?? 0) < PURGE_BATCH) break;
  }
  await forgetOldWorkers(pool, workersTableOf(table));
  return purged;
}

/** The workers' status table beside an outbox table: `"schema"."enable3_outbox"` → `"schema"."enable3_outbox_workers"`. */
const workersTableOf = (table: string) => table.replace(/"enable3_outbox"$/, '"enable3_outbox_workers"');

/** Forgets the status rows of workers not heard from in a day (those that stopped). */
async function forgetOldWorkers(pool: SqlPool, workers: string): Promise<void> {
  await pool.query(`DELETE FROM ${workers} WHERE updated_at < now() - interval '1 day'`);
}

/** The dead rows that pass `filter`, a page at a time in `seq` order (memory stays flat). */
export async function* deadRows(pool: SqlPool, table: string, filter: DeadFilter = {}): AsyncGenerator<DeadRecord> {
  const values: unknown[] = [];
  const where = ["state = 'dead'", "seq > $1::bigint"];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length + 1}`;
  };
  if (filter.status !== undefined) where.push(`(last_error->>'status')::int = ${param(filter.status)}::int`);
  if (filter.reason !== undefined)
    where.push(
      `strpos(lower(coalesce(last_error->>'code', '') || ' ' || coalesce(last_error->>'message', '')), lower(${param(filter.reason)}::text)) > 0`,
    );
  const died = "coalesce(died_at, enqueued_at)";
  if (filter.diedBefore !== undefined) where.push(`${died} < to_timestamp(${param(filter.diedBefore)}::double precision / 1000)`);
  if (filter.diedAfter !== undefined) where.push(`${died} >= to_timestamp(${param(filter.diedAfter)}::double precision / 1000)`);
  const query = `SELECT * FROM ${table} WHERE ${where.join(" AND ")} ORDER BY seq LIMIT ${PAGE}`;
  for (let after = "0"; ; ) {
    const rows = rowsOf<DeadRow>(await pool.query(query, [after, ...values]));
    for (const row of rows) yield deadRecordOf(row);
    if (rows.length < PAGE) return;
    after = String(rows.at(-1)!.seq);
  }
}

export function deadRecordOf(row: DeadRow): DeadRecord {
  const enqueuedAt = new Date(row.enqueued_at).getTime();
  return {
    kind: row.kind,
    id: row.id,
    body: row.body,
    attempts: row.attempts,
    error: row.last_error ?? { name: "Enable3Error", code: "unexpected", message: "unknown" },
    enqueuedAt,
    diedAt: row.died_at === null ? enqueuedAt : new Date(row.died_at).getTime(),
    ...(row.context === null ? {} : { context: row.context }),
  };
}

/** Writes this worker's status row (one per worker, replaced each time). */
export async function publishWorkerStatus(pool: SqlPool, workers: string, owner: string, status: PublishedStatus): Promise<void> {
  await pool.query(
    `INSERT INTO ${workers} (owner, status, updated_at) VALUES ($1, $2::jsonb, now())
ON CONFLICT (owner) DO UPDATE SET status = EXCLUDED.status, updated_at = now()`,
    [owner, JSON.stringify(status)],
  );
}

/** The table read from outside: counts in one statement, workers heard from in the last hour. */
export function inspectPostgres(pool: SqlPool, table: string, workers: string): StoreInspector {
  return {
    async counts(): Promise<InspectedCounts> {
      const [row] = rowsOf<{ pending: number; leased: number; dead: number; oldest: number }>(
        await pool.query(
          `SELECT count(*) FILTER (WHERE state = 'pending')::int AS pending,
count(*) FILTER (WHERE state = 'pending' AND lease_until > now())::int AS leased,
count(*) FILTER (WHERE state = 'dead')::int AS dead,
COALESCE(extract(epoch FROM now() - min(enqueued_at) FILTER (WHERE state = 'pending')) * 1000, 0)::float8 AS oldest FROM ${table}`,
        ),
      );
      const seen = rowsOf<{ status: PublishedStatus; age: number }>(
        await pool.query(
          `SELECT status, (extract(epoch FROM now() - updated_at) * 1000)::float8 AS age FROM ${workers}
WHERE updated_at > now() - make_interval(secs => $1::double precision / 1000) ORDER BY updated_at DESC`,
          [WORKER_SEEN_MS],
        ),
      );
      // the database's clock says how old each row is; the reader's clock places it
      const list = seen.map(({ status, age }) => ({ ...status, updatedAt: Date.now() - age }));
      const kinds = rowsOf<{ kind: OutboxKind; n: number }>(await pool.query(pendingByKind(table)));
      const heldBack = rowsOf<HeldBackKey>(await pool.query(heldBackKeys(table), [HELD_BACK_LISTED]));
      return {
        pending: row!.pending,
        inFlight: row!.leased,
        dead: row!.dead,
        oldestPendingMs: row!.oldest,
        workers: list,
        pendingByKind: Object.fromEntries(kinds.map((k) => [k.kind, k.n])),
        heldBack: heldBack.map((k) => ({ key: k.key, waiting: k.waiting, pendingForMs: Math.max(0, Number(k.pendingForMs)) })),
      };
    },
    dead: (filter) => ({ [Symbol.asyncIterator]: () => deadRows(pool, table, filter) }),
    async close() {},
  };
}

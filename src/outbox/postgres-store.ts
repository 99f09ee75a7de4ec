// postgresStore(pool): the outbox in the operator's PostgreSQL, for a fleet. enqueue can insert inside
// the caller's transaction; any number of workers claim due rows with FOR UPDATE SKIP LOCKED and a
// lease (../postgres/leases.ts) that they renew while they send; a worker that dies stops renewing and
// its rows are claimed again once the lease runs out. Delivered rows are deleted.
import { optionKeys } from "../internal/option-keys.js";
import * as check from "../internal/validate.js";
import { schemaName, tableName } from "../postgres/identifiers.js";
import { claimStatement, leaseOwnerId, renewStatement } from "../postgres/leases.js";
import { type MigrateResult, migrate } from "../postgres/migrate.js";
import { watchPoolErrors } from "../postgres/pool-errors.js";
import { ENABLE3_MIGRATIONS } from "../postgres/schema.js";
import type { SqlClient, SqlPool } from "../postgres/sql-client.js";
import { rowsOf } from "../postgres/sql-client.js";
import { createBatcher } from "./batcher.js";
import type { NewRecord, OutboxStore, Settlement, StoredRecord, StoreEnvironment, StoreSession } from "./contract.js";
import { asOutboxError, Enable3OutboxError } from "./errors.js";
import { createTableCounts } from "./postgres-counts.js";
import { deadRows, inspectPostgres, publishWorkerStatus, purgeDeadRows } from "./postgres-dead.js";

/** Options of {@link postgresStore}. */
export interface PostgresStoreOptions {
  /** The schema that holds the enable3 tables (created by migrate() when missing). @default "public" */
  schema?: string | undefined;
  /** How long a claim lasts; renewed every third of it while the rows are being sent. @default 30000 */
  leaseMs?: number | undefined;
  /** Rows claimed by one query, at most. @default 100 */
  batchSize?: number | undefined;
  /** How often an idle worker looks for due rows. @default 250 */
  pollIntervalMs?: number | undefined;
  /** stats() reads table-wide counts at most this often (in the background, when called). @default 5000 */
  statsIntervalMs?: number | undefined;
}

const POSTGRES_STORE_OPTION_KEYS = optionKeys<PostgresStoreOptions>()([
  "schema",
  "leaseMs",
  "batchSize",
  "pollIntervalMs",
  "statsIntervalMs",
]);

/** A postgresStore: an {@link OutboxStore} that also creates its table. */
export interface PostgresOutboxStore extends OutboxStore {
  /**
   * Creates (or brings up to date) the enable3 schema's tables and indexes, idempotently and safely
   * from many processes at once. Run it at deploy time or at start.
   * @example await store.migrate();
   */
  migrate(): Promise<MigrateResult>;
}

interface Row {
  seq: string;
  kind: "event" | "revenue";
  id: string;
  body: Record<string, unknown>;
  context: StoredRecord["context"] | null;
  attempts: number;
  enqueued_at: Date;
  last_error: StoredRecord["lastError"] | null;
}

/**
 * The outbox in your PostgreSQL (`pg` is an optional peer: pass your own Pool). Every process that
 * creates an outbox on it is a worker; `enqueue(event, { tx })` inserts inside your transaction.
 * @example
 * import pg from "pg";
 * import { createOutbox, postgresStore } from "enable3-client/outbox";
 * const store = postgresStore(new pg.Pool());
 * await store.migrate();
 * const outbox = createOutbox(enable3, { store });
 */
export function postgresStore(pool: SqlPool, options: PostgresStoreOptions = {}): PostgresOutboxStore {
  if (!pool || typeof pool.query !== "function" || typeof pool.connect !== "function") {
    throw new Enable3OutboxError("open_failed", "postgresStore takes a pg Pool (or anything with query() and connect())");
  }
  const o = check.plainObject(options, "options") as PostgresStoreOptions;
  check.checkKnownKeys(o, POSTGRES_STORE_OPTION_KEYS, "options");
  const schema = schemaName(o.schema ?? "public", "options.schema");
  const settings = {
    table: tableName(schema, "outbox"),
    workers: tableName(schema, "outbox_workers"),
    leaseMs: check.numberIn(o.leaseMs ?? 30_000, "options.leaseMs", 100, 86_400_000),
    batchSize: check.numberIn(o.batchSize ?? 100, "options.batchSize", 1, 10_000, true),
    pollIntervalMs: check.numberIn(o.pollIntervalMs ?? 250, "options.pollIntervalMs", 1, 600_000),
    statsIntervalMs: check.numberIn(o.statsIntervalMs ?? 5_000, "options.statsIntervalMs", 0, 3_600_000),
  };
  watchPoolErrors(pool); // an idle client's error (a server restart) must not crash the process
  return {
    description: `postgresStore(${schema})`,
    transactional: true,
    migrate: () => migrate(pool, schema, ENABLE3_MIGRATIONS),
    inspect: () => inspectPostgres(pool, settings.table, settings.workers),
    open: async (environment) => {
      const session = openSession(pool, settings, environment);
      const unwatch = watchPoolErrors(pool, environment.onError); // told to this outbox's onError while it is open
      const close = session.close;
      session.close = () => {
        unwatch();
        return close();
      };
      return session;
    },
  };
}

/** One enqueue's records inside a batched insert, and its own failure if the batch had to be split. */
interface InsertCall {
  records: NewRecord[];
  failed?: { error: unknown } | undefined;
}

/** How long deliveries wait to be deleted together. */
const DELETE_BATCH_MS = 20;

type Settings = { table: string; workers: string; leaseMs: number; batchSize: number; pollIntervalMs: number; statsIntervalMs: number };

function openSession(pool: SqlPool, s: Settings, env: StoreEnvironment): StoreSession {
  const t = s.table;
  const owner = leaseOwnerId();
  // a wait further ahead than the outbox's maxDelayMs (the database's clock stepped back since it was
  // set) is over at once, never an hour-long stall
  const claim = claimStatement({
    table: t,
    key: "seq",
    where: "state = 'pending' AND (not_before <= now() OR not_before > now() + make_interval(secs => $4::double precision / 1000))",
    orderBy: "not_before, seq",
  });
  const longestWait = env.maxDelayMs ?? 365 * 86_400_000;
  const renew = renewStatement(t, "seq");
  const held = new Set<string>();
  let closed = false;
  let nudge: (() => void) | undefined;
  const counts = createTableCounts(pool, t, s.statsIntervalMs, env.onError);

  const renewal = setInterval(() => {
    if (held.size === 0) return;
    const keys = [...held];
    pool.query(renew, [owner, s.leaseMs, keys]).then(
      (result) => {
        const kept = new Set(rowsOf<{ seq: string }>(result).map((r) => String(r.seq)));
        for (const key of keys) if (!kept.has(key)) held.delete(key); // another worker has it now
      },
      (error) => env.onError(asOutboxError(error, "write_failed", `cannot renew the leases on ${t} (tried again)`)),
    );
  }, s.leaseMs / 3);
  renewal.unref?.();

  // ON CONFLICT: an id already in the table stores nothing new, and never aborts the caller's transaction
  const insert = (client: SqlClient, records: NewRecord[]) =>
    client.query(
      `INSERT INTO ${t} (kind, id, body, context) SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::jsonb[]) ON CONFLICT (kind, id) DO NOTHING`,
      [
        records.map((r) => r.kind),
        records.map((r) => r.id),
        records.map((r) => JSON.stringify(r.body)),
        records.map((r) => (r.context === undefined ? null : JSON.stringify(r.context))),
      ],
    );

  // enqueues outside a transaction that arrive together are inserted by one statement; if the database
  // refuses it, each enqueue is inserted on its own, so one refused record fails its own call only
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
      await Promise.all(calls.map(alone));
    }
  });
  // deliveries settled within a few milliseconds are deleted by one statement (one commit, not one each)
  const deleteTogether = createBatcher<string>(DELETE_BATCH_MS, (keys) =>
    pool.query(`DELETE FROM ${t} WHERE seq = ANY($1::bigint[])`, [keys]),
  );

  const toRecord = (row: Row): StoredRecord => ({
    key: String(row.seq),
    kind: row.kind,
    id: row.id,
    body: row.body,
    attempts: row.attempts,
    enqueuedAt: new Date(row.enqueued_at).getTime(),
    ...(row.context === null ? {} : { context: row.context }),
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
  });

  counts.refresh();

  return {
    async add(records, tx) {
      if (closed) throw new Enable3OutboxError("closed", `the outbox on ${t} is closed`);
      if (tx) {
        await insert(tx, records).catch((error) => {
          throw new Enable3OutboxError(
            "write_failed",
            `cannot insert into ${t} inside your transaction (${(error as Error).message}); PostgreSQL has aborted that transaction: roll it back`,
            error,
          );
        });
        counts.added(records.length);
        return;
      }
      const call: InsertCall = { records };
      const failed = (error: unknown) =>
        new Enable3OutboxError("write_failed", `cannot insert into ${t} (${(error as Error).message})`, error);
      await insertTogether([call]).catch((error) => {
        throw failed(error);
      });
      if (call.failed) throw failed(call.failed.error);
      counts.added(records.length);
      nudge?.();
    },
    async take(limit, signal) {
      for (;;) {
        if (closed || signal.aborted) return [];
        const { rows } = await pool.query(claim, [owner, s.leaseMs, Math.min(limit, s.batchSize), longestWait]);
        if (rows.length > 0) {
          for (const row of rows as Row[]) held.add(String(row.seq));
          return (rows as Row[]).map(toRecord);
        }
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            signal.removeEventListener("abort", done);
            nudge = undefined;
            resolve();
          };
          const timer = setTimeout(done, s.pollIntervalMs);
          signal.addEventListener("abort", done, { once: true });
          nudge = done;
        });
      }
    },
    async settle(settlements) {
      const by = <K extends Settlement["outcome"]>(outcome: K) =>
        settlements.filter((x): x is Extract<Settlement, { outcome: K }> => x.outcome === outcome);
      const delivered = by("delivered").map((x) => x.key);
      const retry = by("retry");
      const dead = by("dead");
      const released = by("released").map((x) => x.key);
      if (delivered.length) await deleteTogether(delivered);
      if (retry.length)
        await pool.query(
          `UPDATE ${t} AS o SET attempts = u.attempts, not_before = now() + make_interval(secs => u.delay / 1000), last_error = u.error, lease_owner = NULL, lease_until = NULL
FROM unnest($1::bigint[], $2::int[], $3::float8[], $4::jsonb[]) AS u(seq, attempts, delay, error) WHERE o.seq = u.seq AND o.lease_owner = $5`,
          [
            retry.map((x) => x.key),
            retry.map((x) => x.attempts),
            retry.map((x) => x.delayMs),
            retry.map((x) => JSON.stringify(x.error)),
            owner,
          ],
        );
      if (dead.length)
        await pool.query(
          `UPDATE ${t} AS o SET state = 'dead', died_at = now(), attempts = u.attempts, last_error = u.error, lease_owner = NULL, lease_until = NULL
FROM unnest($1::bigint[], $2::int[], $3::jsonb[]) AS u(seq, attempts, error) WHERE o.seq = u.seq AND o.lease_owner = $4`,
          [dead.map((x) => x.key), dead.map((x) => x.attempts), dead.map((x) => JSON.stringify(x.error)), owner],
        );
      if (released.length)
        await pool.query(`UPDATE ${t} SET lease_owner = NULL, lease_until = NULL WHERE seq = ANY($1::bigint[]) AND lease_owner = $2`, [
          released,
          owner,
        ]);
      for (const x of settlements) held.delete(x.key);
      counts.settled(delivered.length, dead.length);
    },
    async watermark() {
      const [row] = rowsOf<{ mark: string | null }>(await pool.query(`SELECT max(seq)::text AS mark FROM ${t}`));
      return row?.mark ?? null;
    },
    async drained(mark, signal) {
      if (mark === null) return;
      for (;;) {
        const query = `SELECT EXISTS (SELECT 1 FROM ${t} WHERE state = 'pending' AND seq <= $1::bigint) AS waiting`;
        const [row] = rowsOf<{ waiting: boolean }>(await pool.query(query, [mark]));
        if (!row?.waiting) return;
        if (signal?.aborted) throw signal.reason;
        await new Promise((resolve) => setTimeout(resolve, s.pollIntervalMs));
      }
    },
    dead: () => deadRows(pool, t),
    purgeDead: (olderThanMs, dryRun) => purgeDeadRows(pool, t, olderThanMs, dryRun),
    publishStatus: (status) => publishWorkerStatus(pool, s.workers, owner, status),
    async replay(ids) {
      const { rowCount } = await pool.query(
        `UPDATE ${t} SET state = 'pending', attempts = 0, not_before = now(), enqueued_at = now(), last_error = NULL
WHERE state = 'dead' AND ($1::text[] IS NULL OR id = ANY($1::text[]))`,
        [ids ?? null],
      );
      counts.replayed(rowCount ?? 0);
      nudge?.();
      return rowCount ?? 0;
    },
    counts: () => counts.counts(),
    async close() {
      closed = true;
      clearInterval(renewal);
      nudge?.();
      if (held.size > 0) {
        // hand back what was claimed and not sent, so another worker need not wait for the lease to run out
        await pool
          .query(`UPDATE ${t} SET lease_owner = NULL, lease_until = NULL WHERE seq = ANY($1::bigint[]) AND lease_owner = $2`, [
            [...held],
            owner,
          ])
          .catch((error) => env.onError(error as Error));
        held.clear();
      }
    },
  };
}

// postgresStore(pool): the outbox in the operator's PostgreSQL, for a fleet. enqueue can insert inside
// the caller's transaction; any number of workers claim due rows with FOR UPDATE SKIP LOCKED and a
// lease (../postgres/leases.ts) that they renew while they send; a worker that dies stops renewing and
// its rows are claimed again once the lease runs out. Delivered rows are deleted. An insert NOTIFYs the
// schema's channel, which every worker LISTENs on (postgres-listener.ts); polling is the fallback. The
// SQL is in postgres-plans.ts.
import { OUTBOX_POSTGRES_DEFAULTS } from "../internal/defaults.js";
import { optionKeys } from "../internal/option-keys.js";
import * as check from "../internal/validate.js";
import { tableName } from "../postgres/identifiers.js";
import { type MigrateResult, migrate } from "../postgres/migrate.js";
import { watchPoolErrors } from "../postgres/pool-errors.js";
import { ENABLE3_MIGRATIONS } from "../postgres/schema.js";
import type { SqlPool } from "../postgres/sql-client.js";
import { checkPool, type PostgresStoreBaseOptions, readStoreOptions } from "../postgres/store-options.js";
import type { OutboxStore } from "./contract.js";
import { inspectPostgres } from "./postgres-dead.js";
import { openSession } from "./postgres-session.js";

/** Options of the outbox's {@link postgresStore}. */
export interface OutboxPostgresStoreOptions extends PostgresStoreBaseOptions {
  /** How long a claim lasts; renewed every third of it while the rows are being sent. @default 30000 */
  leaseMs?: number | undefined;
  /** Rows claimed by one query, at most. @default 100 */
  batchSize?: number | undefined;
  /**
   * How often an idle worker looks for due rows while it LISTENs (an enqueue wakes it at once; this
   * finds rows whose retry came due or whose lease ran out). While it cannot LISTEN it looks every
   * 250 ms, or this often if shorter. @default 2000
   */
  pollIntervalMs?: number | undefined;
  /** stats() reads table-wide counts at most this often (in the background, when called). @default 5000 */
  statsIntervalMs?: number | undefined;
}

/** @deprecated Renamed {@link OutboxPostgresStoreOptions} (the withdrawal store's are `WithdrawalPostgresStoreOptions`). */
export type PostgresStoreOptions = OutboxPostgresStoreOptions;

const OUTBOX_POSTGRES_STORE_OPTION_KEYS = optionKeys<OutboxPostgresStoreOptions>()([
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

/**
 * The outbox in your PostgreSQL (`pg` is an optional peer: pass your own Pool). Every process that
 * creates an outbox on it is a worker; `enqueue(event, { tx })` inserts inside your transaction. Each
 * worker keeps one connection of the pool to LISTEN for new records.
 * @example
 * import pg from "pg";
 * import { createOutbox, postgresStore } from "enable3-client/outbox";
 * const store = postgresStore(new pg.Pool());
 * await store.migrate();
 * const outbox = createOutbox(enable3, { store });
 */
export function postgresStore(pool: SqlPool, options: OutboxPostgresStoreOptions = {}): PostgresOutboxStore {
  const { options: o, schema, leaseMs } = readStoreOptions<OutboxPostgresStoreOptions>(options, OUTBOX_POSTGRES_STORE_OPTION_KEYS);
  checkPool(pool);
  const settings = {
    schema,
    table: tableName(schema, "outbox"),
    workers: tableName(schema, "outbox_workers"),
    leaseMs: leaseMs ?? OUTBOX_POSTGRES_DEFAULTS.leaseMs,
    batchSize: check.numberIn(o.batchSize ?? OUTBOX_POSTGRES_DEFAULTS.batchSize, "options.batchSize", 1, 10_000, true),
    pollIntervalMs: check.numberIn(o.pollIntervalMs ?? OUTBOX_POSTGRES_DEFAULTS.pollIntervalMs, "options.pollIntervalMs", 1, 600_000),
    statsIntervalMs: check.numberIn(o.statsIntervalMs ?? OUTBOX_POSTGRES_DEFAULTS.statsIntervalMs, "options.statsIntervalMs", 0, 3_600_000),
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

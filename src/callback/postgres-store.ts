// The withdrawal store for a fleet: processed transactions in the operator's PostgreSQL, on the SDK's
// shared layer (src/postgres). A claim is a lease written in its own statement (so every process sees
// it, and a crashed one's lease runs out and is taken over) plus an open transaction handed to the
// handler as `tx`; completing marks the row processed inside that transaction, on the condition that
// this claim still holds the lease, and commits: the operator's credit and the mark commit together
// or not at all, and of two deliveries that both ran (one after a lease ran out) only one commits.
import { Enable3ValidationError } from "../errors/classes.js";
import { CALLBACK_POSTGRES_DEFAULTS, RETENTION } from "../internal/defaults.js";
import { optionKeys } from "../internal/option-keys.js";
import { checkKnownKeys, plainObject } from "../internal/validate.js";
import { schemaName, tableName } from "../postgres/identifiers.js";
import { leaseOwnerId, renewStatement, UNLEASED } from "../postgres/leases.js";
import { type MigrateResult, migrate } from "../postgres/migrate.js";
import { idleClientErrorLine, watchPoolErrors } from "../postgres/pool-errors.js";
import { ENABLE3_MIGRATIONS } from "../postgres/schema.js";
import type { SqlPool, SqlPoolClient } from "../postgres/sql-client.js";
import { rowsOf } from "../postgres/sql-client.js";
import { beginTransaction, type OpenTransaction } from "../postgres/transaction.js";
import type { ClaimResult, WithdrawalStore } from "./store.js";

/** Settings of {@link postgresStore}. */
export interface PostgresStoreOptions {
  /** The schema holding the SDK's tables (`enable3_*`); created when missing. @default "public" */
  schema?: string | undefined;
  /**
   * Told when an idle connection of the pool fails (the server restarted, a failover): the store listens
   * on the pool so that such an error cannot crash the process. @default a line on console.error
   */
  onError?: ((error: Error) => void) | undefined;
}

const POSTGRES_STORE_OPTION_KEYS = optionKeys<PostgresStoreOptions>()(["schema", "onError"]);

/** A {@link WithdrawalStore} on PostgreSQL; `tx` is a client inside the transaction that records the withdrawal. */
export interface PostgresWithdrawalStore<C extends SqlPoolClient = SqlPoolClient> extends WithdrawalStore<C> {
  /**
   * Creates or updates the SDK's tables (idempotent, safe from many processes at once). Runs by itself
   * before the first claim; call it at deploy time to find a permission problem early.
   */
  migrate(): Promise<MigrateResult>;
  /**
   * Deletes the marks whose callback date and first delivery are both before `before` (none a live
   * lease holds), a thousand rows per statement so no lock is held for long; resolves how many went.
   * The receiver runs it hourly with retentionMs plus a day: never prune `enable3_withdrawals` yourself.
   */
  purge(options: { before: Date }): Promise<number>;
}

/**
 * Processed withdrawals in PostgreSQL, shared by every process and machine on the database: `pg` is
 * yours (an optional peer dependency), the pool is handed in. onWithdrawal gets `tx`, a client inside
 * the transaction that records the withdrawal as processed: write the credit through it, and both
 * commit together or not at all (exactly once, through a crash between the two). A delivery whose
 * process dies mid-payout holds its lease until it runs out (`leaseMs`); the next delivery then runs it.
 * The store listens for the pool's idle-client errors (a server restart) and tells `onError`, so that
 * they cannot crash the process.
 * @example
 * import pg from "pg";
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * pool.on("error", (error) => logger.warn(error)); // an idle connection's error (a restart): pg would crash the process without a listener
 * const store = postgresStore<pg.PoolClient>(pool);
 * const receiver = createWithdrawalReceiver({
 *   secrets: [process.env.ENABLE3_CALLBACK_SECRET!],
 *   store,
 *   async onWithdrawal(withdrawal, { tx }) {
 *     await tx.query("UPDATE wallets SET balance = balance + $1 WHERE user_id = $2", [withdrawal.amount, withdrawal.userId]);
 *   },
 * });
 */
export function postgresStore<C extends SqlPoolClient = SqlPoolClient>(
  pool: SqlPool,
  options: PostgresStoreOptions = {},
): PostgresWithdrawalStore<C> {
  checkKnownKeys(plainObject(options, "options"), POSTGRES_STORE_OPTION_KEYS, "options");
  const schema = schemaName(options.schema ?? CALLBACK_POSTGRES_DEFAULTS.schema, "schema");
  if (options.onError !== undefined && typeof options.onError !== "function") {
    throw new Enable3ValidationError("onError", "must be a function when given");
  }
  watchPoolErrors(pool, options.onError ?? ((error) => console.error(idleClientErrorLine(error))));
  const table = tableName(schema, "withdrawals");
  const claimSql = `INSERT INTO ${table} AS w (transaction_id, lease_owner, lease_until, created_at)
VALUES ($1, $2, now() + make_interval(secs => $3::double precision / 1000), $4)
ON CONFLICT (transaction_id) DO UPDATE SET lease_owner = EXCLUDED.lease_owner, lease_until = EXCLUDED.lease_until, attempts = w.attempts + 1
WHERE w.processed_at IS NULL AND ${UNLEASED.replaceAll("lease_until", "w.lease_until")}
RETURNING transaction_id`;
  const renewSql = renewStatement(table, "transaction_id");
  const completeSql = `UPDATE ${table} SET processed_at = now(), lease_owner = NULL, lease_until = NULL
WHERE transaction_id = $1 AND lease_owner = $2 AND processed_at IS NULL`;
  const releaseSql = `UPDATE ${table} SET lease_owner = NULL, lease_until = NULL WHERE transaction_id = $1 AND lease_owner = $2`;
  // one short statement per batch, rows a claim is writing skipped: a purge never holds long locks
  const purgeSql = `DELETE FROM ${table} WHERE transaction_id IN (
  SELECT transaction_id FROM ${table} WHERE greatest(created_at, received_at) < $1 AND ${UNLEASED}
  LIMIT $2 FOR UPDATE SKIP LOCKED)`;

  let migrated: Promise<MigrateResult> | undefined;
  const migrateNow = () => {
    migrated = migrate(pool, schema, ENABLE3_MIGRATIONS).catch((error: unknown) => {
      migrated = undefined; // try again at the next claim
      throw error;
    });
    return migrated;
  };
  const ready = () => migrated ?? migrateNow();

  return {
    migrate: migrateNow,
    async purge({ before }) {
      await ready();
      let removed = 0;
      for (;;) {
        const batch = (await pool.query(purgeSql, [before, RETENTION.purgeBatch])).rowCount ?? 0;
        removed += batch;
        if (batch < RETENTION.purgeBatch) return removed;
      }
    },
    async claim(transactionId, { leaseMs, createdAt }): Promise<ClaimResult<C>> {
      await ready();
      // each claim its own owner: two deliveries in one process must not pass for each other
      const owner = leaseOwnerId();
      const taken = await pool.query(claimSql, [transactionId, owner, leaseMs, createdAt ?? null]);
      if (taken.rowCount === 0) {
        const [row] = rowsOf<{ processed_at: Date | null }>(
          await pool.query(`SELECT processed_at FROM ${table} WHERE transaction_id = $1`, [transactionId]),
        );
        return row?.processed_at ? { status: "processed" } : { status: "processing" };
      }
      const unlease = () => pool.query(releaseSql, [transactionId, owner]).then(() => {});
      let open: OpenTransaction;
      try {
        open = await beginTransaction(pool);
      } catch (error) {
        await unlease().catch(() => {});
        throw error;
      }
      let ended = false;
      return {
        status: "claimed",
        claim: {
          // the operator's own pool gave this client: it is what they typed C as
          tx: open.client as C,
          async renew() {
            const { rows } = await pool.query(renewSql, [owner, leaseMs, [transactionId]]);
            return rows.length > 0;
          },
          async complete() {
            if (ended) throw new Error(`the claim on transaction ${transactionId} has already ended`);
            ended = true;
            let marked: boolean;
            try {
              marked = (await open.client.query(completeSql, [transactionId, owner])).rowCount === 1;
            } catch (error) {
              await open.rollback();
              throw error;
            }
            if (!marked) {
              // the lease ran out and another delivery took the transaction: nothing of this one commits
              await open.rollback();
              return false;
            }
            await open.commit();
            return true;
          },
          async release() {
            if (!ended) {
              ended = true;
              await open.rollback();
            }
            await unlease();
          },
          async abandon() {
            if (!ended) {
              ended = true;
              await open.discard(); // the handler may still hold tx: its session ends, its client is closed
            }
            await unlease();
          },
        },
      };
    },
  };
}

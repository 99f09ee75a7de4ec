// The withdrawal store for a fleet: processed transactions in the operator's PostgreSQL, on the SDK's
// shared layer (src/postgres). A claim is a lease written in its own statement (so every process sees
// it, and a crashed one's lease runs out and is taken over) plus an open transaction handed to the
// handler as `tx`; completing marks the row processed inside that transaction, on the condition that
// this claim still holds the lease, and commits: the operator's credit and the mark commit together
// or not at all, and of two deliveries that both ran (one after a lease ran out) only one commits.
import { Enable3ValidationError } from "../errors/validation.js";
import { RETENTION } from "../internal/defaults.js";
import { optionKeys } from "../internal/option-keys.js";
import { tableName } from "../postgres/identifiers.js";
import { createLeaseHolder, type LeaseHolder, leaseOwnerId } from "../postgres/leases.js";
import { type MigrateResult, migrate } from "../postgres/migrate.js";
import { idleClientErrorLine, watchPoolErrors } from "../postgres/pool-errors.js";
import { ENABLE3_MIGRATIONS } from "../postgres/schema.js";
import type { SqlPool, SqlPoolClient } from "../postgres/sql-client.js";
import { rowsOf } from "../postgres/sql-client.js";
import { checkPool, type PostgresStoreBaseOptions, readStoreOptions } from "../postgres/store-options.js";
import { beginTransaction, type OpenTransaction } from "../postgres/transaction.js";
import * as plans from "./postgres-plans.js";
import type { ClaimResult, WithdrawalStore } from "./store.js";

/** Settings of the withdrawal receiver's {@link postgresStore}. */
export interface WithdrawalPostgresStoreOptions extends PostgresStoreBaseOptions {
  /**
   * How long a claim lasts unless renewed; the store renews it every third of it while onWithdrawal
   * runs. When given, it wins over the receiver's (deprecated) `leaseMs`. @default the receiver's leaseMs (60000)
   */
  leaseMs?: number | undefined;
  /**
   * Told when an idle connection of the pool fails (the server restarted, a failover), or a lease
   * could not be renewed: the store listens on the pool so that such an error cannot crash the
   * process. @default a line on console.error
   */
  onError?: ((error: Error) => void) | undefined;
}

/** @deprecated Renamed {@link WithdrawalPostgresStoreOptions} (the outbox's are `OutboxPostgresStoreOptions`). */
export type PostgresStoreOptions = WithdrawalPostgresStoreOptions;

const WITHDRAWAL_POSTGRES_STORE_OPTION_KEYS = optionKeys<WithdrawalPostgresStoreOptions>()(["schema", "leaseMs", "onError"]);

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
  options: WithdrawalPostgresStoreOptions = {},
): PostgresWithdrawalStore<C> {
  const {
    options: o,
    schema,
    leaseMs: storeLeaseMs,
  } = readStoreOptions<WithdrawalPostgresStoreOptions>(options, WITHDRAWAL_POSTGRES_STORE_OPTION_KEYS);
  checkPool(pool);
  if (o.onError !== undefined && typeof o.onError !== "function") {
    throw new Enable3ValidationError("options.onError", "must be a function when given");
  }
  const report = o.onError ?? ((error: Error) => console.error(idleClientErrorLine(error)));
  watchPoolErrors(pool, report);
  const table = tableName(schema, "withdrawals");
  const sql = {
    claim: plans.claimTransaction(table),
    processedAt: plans.processedAt(table),
    complete: plans.completeTransaction(table),
    purge: plans.purgeBatch(table),
  };

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
        const batch = (await pool.query(sql.purge, [before, RETENTION.purgeBatch])).rowCount ?? 0;
        removed += batch;
        if (batch < RETENTION.purgeBatch) return removed;
      }
    },
    async claim(transactionId, claimOptions): Promise<ClaimResult<C>> {
      await ready();
      const leaseMs = storeLeaseMs ?? claimOptions.leaseMs; // the store's lease wins; the receiver's is deprecated
      // each claim its own owner: two deliveries in one process must not pass for each other
      const owner = leaseOwnerId();
      const taken = await pool.query(sql.claim, [transactionId, owner, leaseMs, claimOptions.createdAt ?? null]);
      if (taken.rowCount === 0) {
        const [row] = rowsOf<{ processed_at: Date | null }>(await pool.query(sql.processedAt, [transactionId]));
        return row?.processed_at ? { status: "processed" } : { status: "processing" };
      }
      const lease = createLeaseHolder(pool, plans.withdrawalLeases(table), {
        owner,
        leaseMs,
        onError: (error) =>
          report(new Error(`cannot renew the lease on transaction ${transactionId} in ${table} (tried again)`, { cause: error })),
      });
      // with the store's own lease, the store renews it (the receiver renews at its own leaseMs' pace)
      if (storeLeaseMs !== undefined) lease.hold([transactionId]);
      const unlease = () => {
        lease.stop();
        return lease.release([transactionId]);
      };
      let open: OpenTransaction;
      try {
        open = await beginTransaction(pool);
      } catch (error) {
        await unlease().catch(() => {});
        throw error;
      }
      return { status: "claimed", claim: heldClaim<C>(transactionId, owner, open, lease, unlease, sql.complete) };
    },
  };
}

/** A claimed transaction: its open transaction, and its lease (renewed by the holder's timer until it ends). */
function heldClaim<C extends SqlPoolClient>(
  transactionId: string,
  owner: string,
  open: OpenTransaction,
  lease: LeaseHolder,
  unlease: () => Promise<void>,
  completeSql: string,
) {
  let ended = false;
  return {
    // the operator's own pool gave this client: it is what they typed C as
    tx: open.client as C,
    async renew() {
      return (await lease.renew([transactionId])).has(transactionId);
    },
    async complete() {
      if (ended) throw new Error(`the claim on transaction ${transactionId} has already ended`);
      ended = true;
      lease.stop();
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
  };
}

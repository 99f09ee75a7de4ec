// One outbox's session on a postgresStore (postgres-store.ts): inserts that arrive together go in one
// statement that also NOTIFYs; take() claims due rows under this worker's lease, and claims the next
// batch while the current one is in flight (read-ahead); settle() writes a whole batch's outcomes in
// one statement. An idle take() waits for a notification (postgres-listener.ts), the next retry's due
// time, or the poll, whichever comes first.
import { deferred, waitFor } from "../internal/timers.js";
import { createLeaseHolder, leaseOwnerId } from "../postgres/leases.js";
import type { SqlClient, SqlPool } from "../postgres/sql-client.js";
import { rowsOf } from "../postgres/sql-client.js";
import { createBatcher } from "./batcher.js";
import type { NewRecord, StoreEnvironment, StoreSession } from "./contract.js";
import { asOutboxError, Enable3OutboxError } from "./errors.js";
import { createClaims } from "./postgres-claims.js";
import { createTableCounts } from "./postgres-counts.js";
import { deadRows, publishWorkerStatus, purgeDeadRows } from "./postgres-dead.js";
import { type Listener, startListener } from "./postgres-listener.js";
import * as plans from "./postgres-plans.js";

export interface SessionSettings {
  schema: string;
  table: string;
  /** The workers' published status (postgres-dead.ts). */
  workers: string;
  leaseMs: number;
  batchSize: number;
  pollIntervalMs: number;
  statsIntervalMs: number;
}

/** How often a worker that cannot LISTEN looks for rows (pollIntervalMs when shorter); flush() too. */
const FALLBACK_POLL_MS = 250;
/** The shortest time between two of flush()'s looks at the table. */
const DRAIN_GAP_MS = 20;

export function openSession(pool: SqlPool, s: SessionSettings, env: StoreEnvironment): StoreSession {
  const t = s.table;
  const owner = leaseOwnerId();
  const channel = plans.notifyChannel(s.schema);
  const sql = {
    claim: plans.claimDue(t),
    insert: plans.insertAndNotify(t),
    settle: plans.settleBatch(t),
    nextDue: plans.nextDue(t),
  };
  const longestWaitMs = env.maxDelayMs ?? 365 * 86_400_000;
  const fallbackPollMs = Math.min(s.pollIntervalMs, FALLBACK_POLL_MS);
  const leases = createLeaseHolder(pool, plans.outboxLeases(t), {
    owner,
    leaseMs: s.leaseMs,
    onError: (error) => env.onError(asOutboxError(error, "write_failed", `cannot renew the leases on ${t} (tried again)`)),
  });
  const counts = createTableCounts(pool, t, s.statsIntervalMs, env.onError);
  let closed = false;
  // a wake-up: resolved (and replaced) by a notification, this process's own enqueue or close
  let wake = deferred();
  const nudge = () => {
    const woken = wake;
    wake = deferred();
    woken.resolve();
  };
  let settled = deferred(); // resolved (and replaced) by each settle: flush() looks again
  // started by the first take(): a process that only enqueues (deliver: false) holds no connection
  let listener: Listener | undefined;
  const listen = () => {
    listener ??= startListener(pool, { channel, table: t, fallbackPollMs, onWake: nudge, onError: env.onError });
  };

  const { insert, insertTogether } = createInserts(pool, sql.insert, channel);

  const claims = createClaims(pool, leases, { sql: sql.claim, owner, leaseMs: s.leaseMs, batchSize: s.batchSize, longestWaitMs });
  const idleWait = async (change: Promise<void>, signal: AbortSignal) => {
    const poll = listener?.listening ? s.pollIntervalMs : fallbackPollMs;
    const [row] = rowsOf<{ ms: number | null }>(await pool.query(sql.nextDue));
    const due = row?.ms === null || row?.ms === undefined ? poll : Math.max(0, Number(row.ms));
    await waitFor(change, signal, Math.min(poll, due + 1));
  };

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
      nudge(); // this worker need not wait for its own notification
    },
    async take(limit, signal) {
      listen();
      for (;;) {
        if (closed || signal.aborted) return [];
        const change = wake.promise; // a notification during the claim below is not missed
        const records = await claims.next(limit);
        if (records.length > 0) return records;
        await idleWait(change, signal);
      }
    },
    async settle(settlements) {
      if (settlements.length === 0) return;
      const keys = settlements.map((x) => x.key);
      await pool.query(sql.settle, [
        owner,
        keys,
        settlements.map((x) => x.outcome),
        settlements.map((x) => ("attempts" in x ? x.attempts : null)),
        settlements.map((x) => (x.outcome === "retry" ? x.delayMs : null)),
        settlements.map((x) => ("error" in x ? JSON.stringify(x.error) : null)),
      ]);
      leases.drop(keys);
      const delivered = settlements.filter((x) => x.outcome === "delivered").length;
      counts.settled(delivered, settlements.filter((x) => x.outcome === "dead").length);
      const told = settled;
      settled = deferred();
      told.resolve();
    },
    async watermark() {
      const [row] = rowsOf<{ mark: string | null }>(await pool.query(plans.watermark(t)));
      return row?.mark ?? null;
    },
    async drained(mark, signal) {
      if (mark === null) return;
      for (;;) {
        const change = settled.promise;
        const asked = performance.now();
        const [row] = rowsOf<{ waiting: boolean }>(await pool.query(plans.pendingUpTo(t), [mark]));
        if (!row?.waiting) return;
        if (signal?.aborted) throw signal.reason;
        await waitFor(change, signal, fallbackPollMs);
        // woken by a settlement: at most one look per DRAIN_GAP_MS, not one per settle statement
        await waitFor(undefined, signal, DRAIN_GAP_MS - (performance.now() - asked));
      }
    },
    dead: () => deadRows(pool, t),
    purgeDead: (olderThanMs, dryRun) => purgeDeadRows(pool, t, olderThanMs, dryRun),
    publishStatus: (status) => publishWorkerStatus(pool, s.workers, owner, status),
    async replay(ids) {
      const [row] = rowsOf<{ n: number }>(await pool.query(plans.replayAndNotify(t), [ids ?? null, channel]));
      const n = row?.n ?? 0;
      counts.replayed(n);
      nudge();
      return n;
    },
    counts: () => counts.counts(),
    async close() {
      closed = true;
      leases.stop();
      nudge();
      await listener?.close();
      await claims.stop(); // the rows of a claim in flight are held: released below
      if (leases.size > 0) {
        // hand back what was claimed and not sent, so another worker need not wait for the lease to run out
        await leases.release().catch((error) => env.onError(asOutboxError(error, "write_failed", `cannot hand back the leases on ${t}`)));
      }
    },
  };
}

/** One enqueue's records inside a batched insert, and its own failure if the batch had to be split. */
interface InsertCall {
  records: NewRecord[];
  failed?: { error: unknown } | undefined;
}

/**
 * Inserts (with their NOTIFY): `insert` on a given client (the caller's transaction), `insertTogether`
 * on the pool, where enqueues that arrive together share one statement; if the database refuses it,
 * each enqueue is inserted on its own, so one refused record fails its own call only.
 */
function createInserts(pool: SqlPool, sql: string, channel: string) {
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

// One outbox's session on a postgresStore (postgres-store.ts): inserts that arrive together go in one
// statement that also NOTIFYs (postgres-inserts.ts); take() claims due rows under this worker's lease,
// and claims the next batch while the current one is in flight (read-ahead, postgres-claims.ts);
// settle() writes a whole batch's outcomes in one statement. An idle take() waits for a notification
// (postgres-listener.ts), the next retry's due time, or the poll, whichever comes first. The session's
// state is one object; each operation is a function over it.
import { deferred, waitFor } from "../internal/timers.js";
import { createLeaseHolder, type LeaseHolder, leaseOwnerId } from "../postgres/leases.js";
import type { SqlClient, SqlPool } from "../postgres/sql-client.js";
import { rowsOf } from "../postgres/sql-client.js";
import type { NewRecord, Settlement, StoredRecord, StoreEnvironment, StoreSession } from "./contract.js";
import { asOutboxError, Enable3OutboxError } from "./errors.js";
import { createClaims } from "./postgres-claims.js";
import { createTableCounts } from "./postgres-counts.js";
import { deadRows, publishWorkerStatus, purgeDeadRows } from "./postgres-dead.js";
import { createInserts, type InsertCall, type Inserts } from "./postgres-inserts.js";
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

/** One session's state, shared by the functions below. */
interface Session {
  pool: SqlPool;
  s: SessionSettings;
  env: StoreEnvironment;
  owner: string;
  channel: string;
  sql: { settle: string; nextDue: string };
  fallbackPollMs: number;
  leases: LeaseHolder;
  counts: ReturnType<typeof createTableCounts>;
  claims: ReturnType<typeof createClaims>;
  inserts: Inserts;
  closed: boolean;
  /** A wake-up: resolved (and replaced) by a notification, this process's own enqueue or close. */
  wake: ReturnType<typeof deferred<void>>;
  /** Resolved (and replaced) by each settle: flush() looks again. */
  settled: ReturnType<typeof deferred<void>>;
  /** Started by the first take(): a process that only enqueues (deliver: false) holds no connection. */
  listener: Listener | undefined;
}

export function openSession(pool: SqlPool, s: SessionSettings, env: StoreEnvironment): StoreSession {
  const t = s.table;
  const owner = leaseOwnerId();
  const channel = plans.notifyChannel(s.schema);
  const leases = createLeaseHolder(pool, plans.outboxLeases(t), {
    owner,
    leaseMs: s.leaseMs,
    onError: (error) => env.onError(asOutboxError(error, "write_failed", `cannot renew the leases on ${t} (tried again)`)),
  });
  const longestWaitMs = env.maxDelayMs ?? 365 * 86_400_000;
  const claimSettings = { sql: plans.claimDue(t), owner, leaseMs: s.leaseMs, batchSize: s.batchSize, longestWaitMs };
  const session: Session = {
    pool,
    s,
    env,
    owner,
    channel,
    sql: { settle: plans.settleBatch(t), nextDue: plans.nextDue(t) },
    fallbackPollMs: Math.min(s.pollIntervalMs, FALLBACK_POLL_MS),
    leases,
    counts: createTableCounts(pool, t, s.statsIntervalMs, env.onError),
    claims: createClaims(pool, leases, claimSettings),
    inserts: createInserts(pool, plans.insertAndNotify(t), channel),
    closed: false,
    wake: deferred(),
    settled: deferred(),
    listener: undefined,
  };
  session.counts.refresh();
  return {
    add: (records, tx) => add(session, records, tx),
    take: (limit, signal) => take(session, limit, signal),
    settle: (settlements) => settle(session, settlements),
    watermark: async () => rowsOf<{ mark: string | null }>(await pool.query(plans.watermark(t)))[0]?.mark ?? null,
    drained: (mark, signal) => drained(session, mark, signal),
    dead: () => deadRows(pool, t),
    purgeDead: (olderThanMs, dryRun) => purgeDeadRows(pool, t, olderThanMs, dryRun),
    publishStatus: (status) => publishWorkerStatus(pool, s.workers, owner, status),
    replay: (ids) => replay(session, ids),
    counts: () => session.counts.counts(),
    close: () => close(session),
  };
}

/** Wakes an idle take(). */
function nudge(session: Session): void {
  const woken = session.wake;
  session.wake = deferred();
  woken.resolve();
}

async function add(session: Session, records: NewRecord[], tx: SqlClient | undefined): Promise<void> {
  const t = session.s.table;
  if (session.closed) throw new Enable3OutboxError("closed", `the outbox on ${t} is closed`);
  if (tx) {
    await session.inserts.insert(tx, records).catch((error) => {
      throw new Enable3OutboxError(
        "write_failed",
        `cannot insert into ${t} inside your transaction (${(error as Error).message}); PostgreSQL has aborted that transaction: roll it back`,
        error,
      );
    });
    session.counts.added(records.length);
    return;
  }
  const call: InsertCall = { records };
  const failed = (error: unknown) => new Enable3OutboxError("write_failed", `cannot insert into ${t} (${(error as Error).message})`, error);
  await session.inserts.insertTogether([call]).catch((error) => {
    throw failed(error);
  });
  if (call.failed) throw failed(call.failed.error);
  session.counts.added(records.length);
  nudge(session); // this worker need not wait for its own notification
}

async function take(session: Session, limit: number, signal: AbortSignal): Promise<StoredRecord[]> {
  session.listener ??= startListener(session.pool, {
    channel: session.channel,
    table: session.s.table,
    fallbackPollMs: session.fallbackPollMs,
    onWake: () => nudge(session),
    onError: session.env.onError,
  });
  for (;;) {
    if (session.closed || signal.aborted) return [];
    const change = session.wake.promise; // a notification during the claim below is not missed
    const records = await session.claims.next(limit);
    if (records.length > 0) return records;
    await idleWait(session, change, signal);
  }
}

/** Waits for a wake-up, the soonest retry's due time, or the poll. */
async function idleWait(session: Session, change: Promise<void>, signal: AbortSignal): Promise<void> {
  const poll = session.listener?.listening ? session.s.pollIntervalMs : session.fallbackPollMs;
  const [row] = rowsOf<{ ms: number | null }>(await session.pool.query(session.sql.nextDue));
  const due = row?.ms === null || row?.ms === undefined ? poll : Math.max(0, Number(row.ms));
  await waitFor(change, signal, Math.min(poll, due + 1));
}

async function settle(session: Session, settlements: Settlement[]): Promise<void> {
  if (settlements.length === 0) return;
  const keys = settlements.map((x) => x.key);
  await session.pool.query(session.sql.settle, [
    session.owner,
    keys,
    settlements.map((x) => x.outcome),
    settlements.map((x) => ("attempts" in x ? x.attempts : null)),
    settlements.map((x) => (x.outcome === "retry" ? x.delayMs : null)),
    settlements.map((x) => ("error" in x ? JSON.stringify(x.error) : null)),
  ]);
  session.leases.drop(keys);
  const delivered = settlements.filter((x) => x.outcome === "delivered").length;
  session.counts.settled(delivered, settlements.filter((x) => x.outcome === "dead").length);
  const told = session.settled;
  session.settled = deferred();
  told.resolve();
}

async function drained(session: Session, mark: unknown, signal: AbortSignal | undefined): Promise<void> {
  if (mark === null) return;
  const sql = plans.pendingUpTo(session.s.table);
  for (;;) {
    const change = session.settled.promise;
    const asked = performance.now();
    const [row] = rowsOf<{ waiting: boolean }>(await session.pool.query(sql, [mark]));
    if (!row?.waiting) return;
    if (signal?.aborted) throw signal.reason;
    await waitFor(change, signal, session.fallbackPollMs);
    // woken by a settlement: at most one look per DRAIN_GAP_MS, not one per settle statement
    await waitFor(undefined, signal, DRAIN_GAP_MS - (performance.now() - asked));
  }
}

async function replay(session: Session, ids: readonly string[] | undefined): Promise<number> {
  const [row] = rowsOf<{ n: number }>(await session.pool.query(plans.replayAndNotify(session.s.table), [ids ?? null, session.channel]));
  const n = row?.n ?? 0;
  session.counts.replayed(n);
  nudge(session);
  return n;
}

async function close(session: Session): Promise<void> {
  session.closed = true;
  session.leases.stop();
  nudge(session);
  await session.listener?.close();
  await session.claims.stop(); // the rows of a claim in flight are held: released below
  if (session.leases.size > 0) {
    // hand back what was claimed and not sent, so another worker need not wait for the lease to run out
    await session.leases
      .release()
      .catch((error) => session.env.onError(asOutboxError(error, "write_failed", `cannot hand back the leases on ${session.s.table}`)));
  }
}

// The outbox's public types: its options, what stats() reads, and the Outbox itself (createOutbox in outbox.ts).

import { optionKeys } from "../internal/option-keys.js";
import type { SqlClient } from "../postgres/sql-client.js";
import type { Telemetry } from "../telemetry/opentelemetry.js";
import type { EventInput, RevenueInput, SegmentAssignments, SendEventResult, SendRevenueResult } from "../types/api.js";
import type { DeadRecord, JsonValue, OutboxStore } from "./contract.js";
import type { OutboxMinute } from "./history.js";
import type { OutboxHooks } from "./hooks.js";
import type { OutboxReport } from "./inspect.js";

/** Options of {@link createOutbox}. The hooks are told every outcome (see {@link OutboxHooks}). */
export interface OutboxOptions extends OutboxHooks {
  /** Where records live: `fileStore(dir)` on one machine, `postgresStore(pool)` for a fleet. */
  store: OutboxStore;
  /** Requests in flight at once, from 1 to 1024. @default 8 */
  concurrency?: number | undefined;
  /**
   * Deliver in the background. Turn off in processes that only enqueue (web servers in front of a
   * postgresStore whose workers run elsewhere). @default true
   */
  deliver?: boolean | undefined;
  /** First wait after a failed attempt; doubled per attempt, with jitter. @default 1000 */
  initialDelayMs?: number | undefined;
  /** Longest wait between two attempts of a record. @default 300000 (5 minutes) */
  maxDelayMs?: number | undefined;
  /**
   * A record still failing this long after it was enqueued becomes dead, with its last error. Judged so
   * that a step of the wall clock kills nothing early: after a restart a record counts no older than its
   * attempts prove, so it may be retried longer, never less. @default 259200000 (3 days)
   */
  retryForMs?: number | undefined;
  /**
   * `enqueue` rejects (reason `"full"`, nothing stored) once this many records are pending, so a long
   * outage cannot fill the disk; enqueues under way count too. A fileStore counts every record in its
   * directory not yet delivered nor dead. A postgresStore counts the table-wide pending rows as last
   * read (every `statsIntervalMs`), plus this process's own enqueues since that read, less what it
   * delivered or killed: other processes' enqueues since the read are not seen, so a fleet can pass it
   * by what the others enqueue within `statsIntervalMs`. @default Infinity
   */
  maxPending?: number | undefined;
  /**
   * Takes each dead record away from the store, which then keeps none (`dead()` lists none, `replay()`
   * finds none): they are yours to keep. The store forgets a record only once this returns (or its
   * promise resolves); if it throws, the record stays queued and is handed over again later. The CLI's
   * import writes them to its dead-letter file this way. Leave it unset to keep dead records in the store.
   * @example takeDead: (record) => appendFile("dead.ndjson", `${JSON.stringify(record)}\n`)
   */
  takeDead?: ((record: DeadRecord) => void | Promise<void>) | undefined;
  /**
   * Dead records are kept this long after they died, then purged by the delivering outbox (at start,
   * then every hour; on a postgresStore by every worker, in batches that never block delivery).
   * `Infinity` keeps them until you `purge()` or `replay()` them. @default 2592000000 (30 days)
   */
  deadRetentionMs?: number | undefined;
  /** @deprecated The old name of {@link OutboxOptions.takeDead} (it takes dead records away from the store). */
  deadLetter?: ((record: DeadRecord) => void | Promise<void>) | undefined;
  /**
   * OpenTelemetry metrics read from stats() when the app collects: `openTelemetry()` from
   * `enable3-client/opentelemetry`, or `false` for none.
   * @default on when `@opentelemetry/api` is installed
   */
  telemetry?: Telemetry | false | undefined;
}

/** Every option of {@link OutboxOptions}: createOutbox refuses any other (the deprecated `deadLetter` included, as it is accepted). */
export const OUTBOX_OPTION_KEYS = optionKeys<OutboxOptions>()([
  "store",
  "concurrency",
  "deliver",
  "initialDelayMs",
  "maxDelayMs",
  "retryForMs",
  "maxPending",
  "takeDead",
  "deadLetter",
  "deadRetentionMs",
  "telemetry",
  "onDelivered",
  "onRetry",
  "onDead",
  "onError",
]);

/** Options of {@link Outbox.enqueue} and {@link Outbox.enqueueRevenue}. */
export interface EnqueueOptions {
  /**
   * A pg client inside an open transaction (after `BEGIN`): the record is inserted in it, so it is
   * sent if and only if that transaction commits. postgresStore only.
   */
  tx?: SqlClient | undefined;
  /**
   * Any JSON you want back with this record in the hooks and in `dead()`; kept locally, never sent.
   * Refused (Enable3ValidationError) if it is not JSON, or holds a NUL or a lone surrogate.
   */
  context?: JsonValue | undefined;
  /**
   * Records with the same key are delivered one at a time, in the order they were added; a record
   * waiting for a retry holds back the later ones (records of other keys flow on). A dead record
   * releases those behind it (`onDead` says so in `released`). Unset: no order.
   */
  orderingKey?: string | undefined;
}

export const ENQUEUE_OPTION_KEYS = optionKeys<EnqueueOptions>()(["tx", "context", "orderingKey"]);

/** Options of {@link Outbox.assignSegments} and {@link Outbox.removeSegments}: each user's id is the ordering key. */
export type SegmentEnqueueOptions = Omit<EnqueueOptions, "orderingKey">;

export const SEGMENT_ENQUEUE_OPTION_KEYS = optionKeys<SegmentEnqueueOptions>()(["tx", "context"]);

/** What {@link Outbox.assignSegments} and {@link Outbox.removeSegments} resolve to. */
export interface SegmentEnqueueResult {
  /** One record per user, in the order given: each record's id (what `dead()` and `replay()` name it by). */
  ids: string[];
}

/**
 * Where an outbox stands: `"opening"` its store, `"open"`, `"paused"` (the API refuses the key or this
 * server's IP: records wait, delivery probes again by itself), `"failed"` (the store could not open:
 * nothing can be enqueued), `"closed"`.
 */
export type OutboxState = "opening" | "open" | "paused" | "failed" | "closed";

/** What {@link Outbox.stats} reads: cheap to call as often as a metrics exporter likes. */
export interface OutboxStats {
  /** Where the outbox stands (see {@link OutboxState}). */
  state: OutboxState;
  /** Why it is `"paused"` or `"failed"`: the API's refusal, or why the store could not open. */
  problem?: Error | undefined;
  /** Records waiting to be sent (not in flight). For a postgresStore, table-wide as last read (every few seconds). */
  pending: number;
  /** Requests this outbox has in flight now. */
  inFlight: number;
  /** Dead records kept by the store. */
  dead: number;
  /** How long the oldest pending record has waited, ms (0 when none). */
  oldestPendingMs: number;
  /**
   * Records this outbox delivered since it was created, in this process only (a counter, for rates): on
   * a postgresStore each worker counts its own, and a fleet's total is their sum.
   */
  delivered: number;
}

/** Options of {@link Outbox.close}. */
export interface CloseOptions {
  /**
   * How long requests in flight may take to finish before they are aborted (they stay queued). Calling
   * close again with 0 while it waits aborts them at once. @default 10000
   */
  timeoutMs?: number | undefined;
}

export const CLOSE_OPTION_KEYS = optionKeys<CloseOptions>()(["timeoutMs"]);

/** Options of {@link Outbox.flush}. */
export interface FlushOptions {
  /** Give up (Enable3TimeoutError) after this long; nothing is lost, records stay queued. @default no limit */
  timeoutMs?: number | undefined;
  /** Give up (Enable3AbortError) when this fires. */
  signal?: AbortSignal | undefined;
}

export const FLUSH_OPTION_KEYS = optionKeys<FlushOptions>()(["timeoutMs", "signal"]);

/** What {@link Outbox.replay} resolves to. */
export interface ReplayResult {
  /** How many dead records were queued again. */
  replayed: number;
}

/** Options of {@link Outbox.purge}. */
export interface PurgeOptions {
  /** Dead records that died more than this long ago (ms) are removed; 0 removes every dead record. */
  olderThanMs: number;
  /** Count them, remove nothing. @default false */
  dryRun?: boolean | undefined;
}

export const PURGE_OPTION_KEYS = optionKeys<PurgeOptions>()(["olderThanMs", "dryRun"]);

/** What {@link Outbox.purge} resolves to. */
export interface PurgeResult {
  /** How many dead records were removed (with `dryRun`, would be). */
  purged: number;
}

/** A durable outbox: see {@link createOutbox}. */
export interface Outbox {
  /**
   * Stores an event, its `id` fixed (the one given, or a new UUID) and durable when this resolves;
   * every attempt, by any process at any later time, sends that id. Rejects, storing nothing, for
   * invalid input (Enable3ValidationError) or when the store cannot take it (Enable3OutboxError).
   * @example const { id } = await outbox.enqueue({ userId: "u1", eventId: "deposit", value: 50 });
   */
  enqueue(event: EventInput, options?: EnqueueOptions): Promise<SendEventResult>;
  /**
   * Stores a revenue report, like {@link Outbox.enqueue}; its `requestId` is fixed the same way.
   * @example const { requestId } = await outbox.enqueueRevenue({ revenue: 1250.5 });
   */
  enqueueRevenue(revenue: RevenueInput, options?: EnqueueOptions): Promise<SendRevenueResult>;
  /**
   * Stores a segment assignment durably, validated as `client.assignSegments` validates it: one record
   * per user, delivered in the order enqueued for that user (after its earlier assigns and removes,
   * across retries and restarts) while other users' changes flow on. Rejects, storing nothing, for
   * invalid input (Enable3ValidationError), as `enqueue` does.
   * @example
   * await outbox.assignSegments([{ userId: "u1", segmentIds: ["vip"] }]);
   * await outbox.removeSegments([{ userId: "u1", segmentIds: ["vip"] }]); // reaches Enable3 after the assign
   */
  assignSegments(assignments: SegmentAssignments, options?: SegmentEnqueueOptions): Promise<SegmentEnqueueResult>;
  /**
   * Stores a segment removal durably, like {@link Outbox.assignSegments} (ordered with it per user).
   * @example const { ids } = await outbox.removeSegments([{ userId: "u1", segmentIds: ["vip"] }]);
   */
  removeSegments(assignments: SegmentAssignments, options?: SegmentEnqueueOptions): Promise<SegmentEnqueueResult>;
  /**
   * Resolves once everything enqueued before the call is delivered or dead (a record waiting out a
   * backoff is waited for), by this outbox or, on a postgresStore, any worker (with `deliver: false`
   * on a fileStore nothing ever delivers). An API that keeps
   * failing holds records for up to `retryForMs` (3 days), so bound it: rejects with
   * Enable3TimeoutError after `timeoutMs`, with Enable3AbortError when `signal` fires first; the
   * records stay queued either way.
   * @example await outbox.flush({ timeoutMs: 30_000 });
   */
  flush(options?: FlushOptions): Promise<void>;
  /**
   * Stops delivery: requests in flight get `timeoutMs` to finish, then are aborted; whatever is left
   * stays stored and goes out, with the same ids, on the next start. Enqueue afterwards rejects.
   * @example process.on("SIGTERM", () => outbox.close().then(() => process.exit(0)));
   */
  close(options?: CloseOptions): Promise<void>;
  /**
   * Counts, read at once: a fileStore's from memory; a postgresStore's table-wide counts as last read
   * (every `statsIntervalMs`, in the background), never waited for.
   * @example const { pending, inFlight, dead, oldestPendingMs, delivered } = outbox.stats();
   */
  stats(): OutboxStats;
  /**
   * The store read as `enable3 outbox status` reads it: counts, pending records by kind, and the ordering
   * keys (users, for segment changes) whose later records are held back behind a pending one, and for how
   * long. Reads the store (a fileStore's journal, the postgresStore's table): for a page or a probe, not a hot path.
   * @example for (const k of (await outbox.report()).heldBack) console.log(k.key, k.waiting, k.pendingForMs);
   */
  report(): Promise<OutboxReport>;
  /**
   * The last hour, a minute at a time (oldest first, 60 entries, quiet minutes included): records this
   * outbox delivered, retried and made dead, and the oldest pending record's age. Kept in memory by this
   * process (a restart starts it empty; on a postgresStore each worker counts its own).
   * @example const lastHour = outbox.history().reduce((sum, minute) => sum + minute.delivered, 0);
   */
  history(): OutboxMinute[];
  /**
   * The dead records, streamed from the store (memory stays flat however many there are).
   * @example for await (const record of outbox.dead()) console.log(record.id, record.error.message);
   */
  dead(): AsyncIterable<DeadRecord>;
  /**
   * Queues dead records again (those with these ids, or all of them), with the same ids and bodies.
   * @example const { replayed } = await outbox.replay();
   */
  replay(ids?: readonly string[]): Promise<ReplayResult>;
  /**
   * Removes the dead records that died more than `olderThanMs` ago, for good (the outbox does this by
   * itself past `deadRetentionMs`); with `dryRun` only counts them. On a postgresStore it deletes in
   * batches of 1,000 that skip rows another transaction holds, so delivery goes on meanwhile.
   * @example const { purged } = await outbox.purge({ olderThanMs: 7 * 86_400_000 }); // dead for over a week
   */
  purge(options: PurgeOptions): Promise<PurgeResult>;
  /**
   * Resolves once the store is open (every method waits for it anyway); rejects with why it could not
   * be, e.g. another process holds the directory (Enable3OutboxError, reason `"locked"`).
   * @example await outbox.open();
   */
  open(): Promise<void>;
}

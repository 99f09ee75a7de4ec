// createOutbox: enqueue stores a record (its id fixed inside it) durably before it resolves; delivery
// runs in the background through the client's bulk sender; flush, close, stats, dead and replay.

import type { Enable3Client } from "../client/create-client.js";
import { eventBody, revenueBody } from "../client/request-bodies.js";
import { Enable3AbortError, Enable3TimeoutError, Enable3ValidationError } from "../errors/classes.js";
import * as check from "../internal/validate.js";
import type { SqlClient } from "../postgres/sql-client.js";
import { outboxMetrics } from "../telemetry/component-metrics.js";
import { installedOpenTelemetry } from "../telemetry/installed.js";
import type { Telemetry } from "../telemetry/opentelemetry.js";
import type { EventInput, RevenueInput, SendEventResult, SendRevenueResult } from "../types/api.js";
import type { DeadRecord, JsonValue, NewRecord, OutboxStore, StoreSession } from "./contract.js";
import { type Delivery, startDelivery } from "./delivery.js";
import { asOutboxError, Enable3OutboxError } from "./errors.js";
import { createHookCaller, type OutboxHooks } from "./hooks.js";
import { OUTBOX_DEFAULTS } from "./policy.js";

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
   * Takes each dead record instead of the store (which then keeps no dead records: `dead()` lists
   * none). The store forgets the record only once this returns (or its promise resolves); if it
   * throws, the record stays queued and is handed over again later. Used by the CLI for its
   * dead-letter file.
   */
  deadLetter?: ((record: DeadRecord) => void | Promise<void>) | undefined;
  /**
   * OpenTelemetry metrics read from stats() when the app collects: `openTelemetry()` from
   * `enable3-client/opentelemetry`, or `false` for none.
   * @default on when `@opentelemetry/api` is installed
   */
  telemetry?: Telemetry | false | undefined;
}

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
  /** Records this outbox delivered since it was created (a counter, for rates). */
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

/** Options of {@link Outbox.flush}. */
export interface FlushOptions {
  /** Give up (Enable3TimeoutError) after this long; nothing is lost, records stay queued. @default no limit */
  timeoutMs?: number | undefined;
  /** Give up (Enable3AbortError) when this fires. */
  signal?: AbortSignal | undefined;
}

/** What {@link Outbox.replay} resolves to. */
export interface ReplayResult {
  /** How many dead records were queued again. */
  replayed: number;
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
   * Resolves once everything enqueued before the call is delivered or dead (a record waiting out a
   * backoff is waited for), by this outbox or, on a postgresStore, any worker. An API that keeps
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
   * Resolves once the store is open (every method waits for it anyway); rejects with why it could not
   * be, e.g. another process holds the directory (Enable3OutboxError, reason `"locked"`).
   * @example await outbox.open();
   */
  open(): Promise<void>;
}

/**
 * A durable outbox in front of `client`: every event (or revenue report) whose `enqueue` resolved is
 * delivered, with the id fixed at enqueue, through crashes and restarts; one the API refuses for good
 * becomes dead, listed by `dead()`. Delivery runs in the background through the client's bulk sender.
 * @example
 * import { createOutbox, fileStore } from "enable3-client/outbox";
 * const outbox = createOutbox(enable3, { store: fileStore("./enable3-outbox"), concurrency: 16 });
 * const { id } = await outbox.enqueue({ userId: "u1", eventId: "deposit", value: 50 }); // durable now
 */
export function createOutbox(client: Enable3Client, options: OutboxOptions): Outbox {
  const o = check.plainObject(options, "options") as unknown as OutboxOptions;
  const store = o.store;
  if (!store || typeof (store as Partial<OutboxStore>).open !== "function")
    throw new Enable3ValidationError("options.store", "must be a store: fileStore(dir) or postgresStore(pool)");
  const concurrency = check.numberIn(o.concurrency ?? OUTBOX_DEFAULTS.concurrency, "options.concurrency", 1, 1024, true);
  const policy = {
    // waits are timers: past 2^31-1 ms setTimeout fires at once
    initialDelayMs: check.numberIn(o.initialDelayMs ?? OUTBOX_DEFAULTS.initialDelayMs, "options.initialDelayMs", 0, check.MAX_TIMER_MS),
    maxDelayMs: check.numberIn(o.maxDelayMs ?? OUTBOX_DEFAULTS.maxDelayMs, "options.maxDelayMs", 0, check.MAX_TIMER_MS),
    retryForMs: check.numberIn(o.retryForMs ?? OUTBOX_DEFAULTS.retryForMs, "options.retryForMs", 0),
  };
  const maxPending = o.maxPending === undefined ? Infinity : check.numberIn(o.maxPending, "options.maxPending", 1);
  for (const name of ["onDelivered", "onRetry", "onDead", "onError", "deadLetter"] as const) {
    if (o[name] !== undefined && typeof o[name] !== "function") throw new Enable3ValidationError(`options.${name}`, "must be a function");
  }
  if (o.telemetry !== undefined && o.telemetry !== false && (typeof o.telemetry !== "object" || !("signal" in o.telemetry))) {
    throw new Enable3ValidationError("options.telemetry", 'must be openTelemetry() from "enable3-client/opentelemetry", or false');
  }
  const hook = createHookCaller(o);
  let delivery: Delivery | undefined;
  let closed: Promise<void> | undefined;
  let opened: StoreSession | undefined;

  let openFailure: Enable3OutboxError | undefined;

  const opening: Promise<StoreSession> = store.open({ onError: (error) => hook("onError", error), maxDelayMs: policy.maxDelayMs }).then(
    (session) => {
      opened = session;
      if (o.deliver !== false && !closed)
        delivery = startDelivery({ client, session, concurrency, policy, hook, deadLetter: o.deadLetter });
      return session;
    },
    (error) => {
      // told at once, not at the first enqueue: an app that never enqueues would never hear it
      openFailure = asOutboxError(error, "open_failed", `cannot open ${store.description}`);
      hook("onError", openFailure);
      throw openFailure;
    },
  );
  opening.catch(() => {}); // told to onError, and to each caller

  const session = async (): Promise<StoreSession> => {
    if (closed) throw new Enable3OutboxError("closed", `the outbox on ${store.description} is closed`);
    return opening;
  };

  // enqueues under way hold a place each: a burst of concurrent calls cannot all pass one count
  let reserved = 0;
  async function add(record: NewRecord, options: EnqueueOptions | undefined): Promise<void> {
    const s = await session();
    if (s.counts().pending + reserved >= maxPending)
      throw new Enable3OutboxError(
        "full",
        `the outbox on ${store.description} holds ${maxPending} pending records (maxPending): nothing was stored`,
      );
    reserved++;
    try {
      await s.add([record], options?.tx);
    } finally {
      reserved--;
    }
  }

  const enqueueOptions = (value: EnqueueOptions | undefined): EnqueueOptions | undefined => {
    if (value === undefined) return undefined;
    const e = check.plainObject(value, "options") as EnqueueOptions;
    if (e.context !== undefined) e.context = check.jsonValue(e.context, "options.context") as JsonValue;
    if (e.tx !== undefined) {
      if (!store.transactional) throw new Enable3ValidationError("options.tx", `works with postgresStore only, not ${store.description}`);
      if (typeof (e.tx as Partial<SqlClient>).query !== "function")
        throw new Enable3ValidationError("options.tx", "must be a pg client inside an open transaction");
    }
    return e;
  };

  const outbox: Outbox = {
    async enqueue(event, options) {
      const e = enqueueOptions(options);
      const body = eventBody(event);
      await add({ kind: "event", id: body.id, body, context: e?.context }, e);
      return { id: body.id };
    },
    async enqueueRevenue(revenue, options) {
      const e = enqueueOptions(options);
      const body = revenueBody(revenue);
      await add({ kind: "revenue", id: body.requestId, body, context: e?.context }, e);
      return { requestId: body.requestId };
    },
    async flush(options) {
      const f = options === undefined ? {} : (check.plainObject(options, "options") as FlushOptions);
      const timeoutMs = f.timeoutMs === undefined ? undefined : check.numberIn(f.timeoutMs, "options.timeoutMs", 0, check.MAX_TIMER_MS);
      const given = f.signal;
      const s = await session();
      if (given?.aborted) throw new Enable3AbortError("flush aborted", { cause: given.reason });
      const timeout = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
      const signal = timeout && given ? AbortSignal.any([given, timeout]) : (timeout ?? given);
      const mark = await s.watermark();
      await s.drained(mark, signal).catch((error) => {
        if (given?.aborted) throw new Enable3AbortError("flush aborted before everything was delivered", { cause: given.reason });
        if (timeout?.aborted)
          throw new Enable3TimeoutError(
            `flush gave up after ${timeoutMs} ms: ${outbox.stats().pending} records are still pending (they stay queued)`,
          );
        throw error;
      });
    },
    close(options) {
      const timeoutMs = check.numberIn(options?.timeoutMs ?? OUTBOX_DEFAULTS.closeTimeoutMs, "options.timeoutMs", 0, check.MAX_TIMER_MS);
      if (closed && timeoutMs === 0) delivery?.hurry(); // closing again, in a hurry: abort what is in flight
      closed ??= opening.then(
        async (s) => {
          stopMetrics?.();
          await delivery?.stop(timeoutMs);
          await s.close();
        },
        () => {},
      );
      return closed;
    },
    stats() {
      const inFlight = delivery?.inFlight() ?? 0;
      const counts = opened?.counts() ?? { pending: 0, dead: 0, oldestPendingMs: 0 };
      const paused = closed ? undefined : delivery?.paused();
      const state: OutboxState = closed ? "closed" : openFailure ? "failed" : paused ? "paused" : opened ? "open" : "opening";
      const problem = closed ? undefined : (openFailure ?? paused);
      return {
        state,
        ...(problem ? { problem } : {}),
        pending: Math.max(0, counts.pending - inFlight),
        inFlight,
        dead: counts.dead,
        oldestPendingMs: counts.oldestPendingMs,
        delivered: delivery?.delivered() ?? 0,
      };
    },
    dead() {
      return {
        async *[Symbol.asyncIterator]() {
          yield* (await session()).dead();
        },
      };
    },
    async replay(ids) {
      const list = ids === undefined ? undefined : check.stringArray(ids, "ids");
      return { replayed: await (await session()).replay(list) };
    },
    async open() {
      await opening;
    },
  };
  // the app's metric reader reads stats() when it collects; closing the outbox stops that
  const installed = o.telemetry === undefined ? installedOpenTelemetry() : undefined;
  const metrics = o.telemetry === false ? undefined : (o.telemetry?.outboxStats ?? (installed ? outboxMetrics(installed) : undefined));
  const stopMetrics = metrics?.(store.description, () => outbox.stats());
  return outbox;
}

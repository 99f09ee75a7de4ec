// createOutbox: enqueue stores a record (its id fixed inside it) durably before it resolves; delivery
// runs in the background through the client's record sender; flush, close, stats, dead and replay.

import type { Enable3Client } from "../client/create-client.js";
import { preparedSendsOf } from "../client/prepared-sends.js";
import { eventBody, revenueBody, segmentsBody } from "../client/request-bodies.js";
import { Enable3AbortError, Enable3TimeoutError } from "../errors/network.js";
import { Enable3ValidationError } from "../errors/validation.js";
import { OUTBOX_DEFAULTS } from "../internal/defaults.js";
import { jsonValue } from "../internal/json-value.js";
import * as check from "../internal/validate.js";
import type { SqlClient } from "../postgres/sql-client.js";
import { outboxMetrics } from "../telemetry/component-metrics.js";
import { installedOpenTelemetry } from "../telemetry/installed.js";
import { activeTraceparent } from "../telemetry/queue-trace.js";
import type { SegmentAssignments } from "../types/api.js";
import type { JsonValue, NewRecord, OutboxKind, OutboxStore, StoreSession } from "./contract.js";
import { type Delivery, startDelivery } from "./delivery.js";
import { asOutboxError, Enable3OutboxError } from "./errors.js";
import { createOutboxHistory } from "./history.js";
import { createHookCaller } from "./hooks.js";
import { inspectOutbox } from "./inspect.js";
import {
  CLOSE_OPTION_KEYS,
  ENQUEUE_OPTION_KEYS,
  type EnqueueOptions,
  FLUSH_OPTION_KEYS,
  type FlushOptions,
  OUTBOX_OPTION_KEYS,
  type Outbox,
  type OutboxOptions,
  type OutboxState,
  PURGE_OPTION_KEYS,
  type PurgeOptions,
  SEGMENT_ENQUEUE_OPTION_KEYS,
  type SegmentEnqueueOptions,
} from "./outbox-types.js";
import { startUpkeep, type Upkeep } from "./upkeep.js";

/**
 * A durable outbox in front of `client`: every event (or revenue report) whose `enqueue` resolved is
 * delivered, with the id fixed at enqueue, through crashes and restarts; one the API refuses for good
 * becomes dead, listed by `dead()`. Delivery runs in the background through the client's record sender.
 * @example
 * import { createOutbox, fileStore } from "enable3-client/outbox";
 * const outbox = createOutbox(enable3, { store: fileStore("./enable3-outbox"), concurrency: 16 });
 * const { id } = await outbox.enqueue({ userId: "u1", eventId: "deposit", value: 50 }); // durable now
 */
export function createOutbox(client: Enable3Client, options: OutboxOptions): Outbox {
  const o = check.plainObject(options, "options") as unknown as OutboxOptions;
  check.checkKnownKeys(o, OUTBOX_OPTION_KEYS, "options");
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
  const deadRetentionMs =
    o.deadRetentionMs === Infinity
      ? Infinity
      : check.numberIn(o.deadRetentionMs ?? OUTBOX_DEFAULTS.deadRetentionMs, "options.deadRetentionMs", 0);
  const maxPending = o.maxPending === undefined ? Infinity : check.numberIn(o.maxPending, "options.maxPending", 1);
  check.hookOptions(o, ["onDelivered", "onRetry", "onDead", "onError", "takeDead", "deadLetter"], "options");
  check.telemetryOption(o.telemetry, "options.telemetry");
  preparedSendsOf(client); // a client made by createEnable3Client: checked before anything is stored
  // the enqueuing span's context, kept with each record (telemetry/queue-trace.ts): the given telemetry's, else an installed API's
  const installed = o.telemetry === undefined ? installedOpenTelemetry() : undefined;
  const traceOf =
    o.telemetry === false ? undefined : (o.telemetry?.activeTraceparent ?? (installed && (() => activeTraceparent(installed))));
  const history = createOutboxHistory(() => opened?.counts().oldestPendingMs);
  const hook = createHookCaller(o);
  let delivery: Delivery | undefined;
  let upkeep: Upkeep | undefined;
  let closed: Promise<void> | undefined;
  let opened: StoreSession | undefined;

  let openFailure: Enable3OutboxError | undefined;

  const opening: Promise<StoreSession> = store.open({ onError: (error) => hook("onError", error), maxDelayMs: policy.maxDelayMs }).then(
    (session) => {
      opened = session;
      if (o.deliver !== false && !closed) {
        delivery = startDelivery({
          client,
          session,
          concurrency,
          policy,
          hook,
          hooks: o,
          heard: history.heard,
          deadLetter: o.takeDead ?? o.deadLetter,
        });
        upkeep = startUpkeep(session, {
          deadRetentionMs,
          stats: () => outbox.stats(),
          deliveredLastHour: history.deliveredLastHour,
          onError: (error) => hook("onError", error),
        });
      }
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
  async function add(records: NewRecord[], options: EnqueueOptions | undefined): Promise<void> {
    const traceparent = traceOf?.();
    if (traceparent !== undefined) for (const record of records) record.traceparent = traceparent;
    const s = await session();
    if (s.counts().pending + reserved + records.length > maxPending)
      throw new Enable3OutboxError(
        "full",
        `the outbox on ${store.description} holds ${maxPending} pending records (maxPending): nothing was stored`,
      );
    reserved += records.length;
    try {
      await s.add(records, options?.tx);
    } finally {
      reserved -= records.length;
    }
  }

  const enqueueOptions = (value: EnqueueOptions | undefined, keys: readonly string[] = ENQUEUE_OPTION_KEYS): EnqueueOptions | undefined => {
    if (value === undefined) return undefined;
    const e = check.plainObject(value, "options") as EnqueueOptions;
    check.checkKnownKeys(e, keys, "options");
    if (e.context !== undefined) e.context = jsonValue(e.context, "options.context") as JsonValue;
    if (e.orderingKey !== undefined) e.orderingKey = check.identifier(e.orderingKey, "options.orderingKey");
    if (e.tx !== undefined) {
      if (!store.transactional) throw new Enable3ValidationError("options.tx", `works with postgresStore only, not ${store.description}`);
      if (typeof (e.tx as Partial<SqlClient>).query !== "function")
        throw new Enable3ValidationError("options.tx", "must be a pg client inside an open transaction");
    }
    return e;
  };

  // one record per user, keyed by the user id: each user's changes are delivered in the order given
  const addSegments = async (
    kind: Extract<OutboxKind, "assignSegments" | "removeSegments">,
    assignments: SegmentAssignments,
    options: SegmentEnqueueOptions | undefined,
  ) => {
    const e = enqueueOptions(options, SEGMENT_ENQUEUE_OPTION_KEYS);
    const records = segmentsBody(assignments).map(
      (entry): NewRecord => ({ kind, id: crypto.randomUUID(), body: [{ ...entry }], context: e?.context, orderingKey: entry.userId }),
    );
    await add(records, e);
    return { ids: records.map((r) => r.id) };
  };

  const outbox: Outbox = {
    async enqueue(event, options) {
      const e = enqueueOptions(options);
      const body = eventBody(event);
      await add([{ kind: "event", id: body.id, body, context: e?.context, orderingKey: e?.orderingKey }], e);
      return { id: body.id };
    },
    async enqueueRevenue(revenue, options) {
      const e = enqueueOptions(options);
      const body = revenueBody(revenue);
      await add([{ kind: "revenue", id: body.requestId, body, context: e?.context, orderingKey: e?.orderingKey }], e);
      return { requestId: body.requestId };
    },
    assignSegments: (assignments, options) => addSegments("assignSegments", assignments, options),
    removeSegments: (assignments, options) => addSegments("removeSegments", assignments, options),
    async flush(options) {
      const f = options === undefined ? {} : (check.plainObject(options, "options") as FlushOptions);
      check.checkKnownKeys(f, FLUSH_OPTION_KEYS, "options");
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
      if (options !== undefined) check.checkKnownKeys(check.plainObject(options, "options"), CLOSE_OPTION_KEYS, "options");
      const timeoutMs = check.numberIn(options?.timeoutMs ?? OUTBOX_DEFAULTS.closeTimeoutMs, "options.timeoutMs", 0, check.MAX_TIMER_MS);
      if (closed && timeoutMs === 0) delivery?.hurry(); // closing again, in a hurry: abort what is in flight
      closed ??= opening.then(
        async (s) => {
          stopMetrics?.();
          await delivery?.stop(timeoutMs);
          await upkeep?.stop();
          await s.close();
        },
        () => {},
      );
      return closed;
    },
    report: () => inspectOutbox(store, { onError: (error) => hook("onError", error) }).status(),
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
    history: history.list,
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
    async purge(options: PurgeOptions) {
      const p = check.plainObject(options, "options") as unknown as PurgeOptions;
      check.checkKnownKeys(p, PURGE_OPTION_KEYS, "options");
      const olderThanMs = check.numberIn(p.olderThanMs, "options.olderThanMs", 0);
      if (p.dryRun !== undefined && typeof p.dryRun !== "boolean") throw new Enable3ValidationError("options.dryRun", "must be a boolean");
      return { purged: await (await session()).purgeDead(olderThanMs, p.dryRun === true) };
    },
    async open() {
      await opening;
    },
  };
  // the app's metric reader reads stats() when it collects; closing the outbox stops that
  const metrics = o.telemetry === false ? undefined : (o.telemetry?.outboxStats ?? (installed ? outboxMetrics(installed) : undefined));
  const stopMetrics = metrics?.(store.description, () => outbox.stats());
  return outbox;
}

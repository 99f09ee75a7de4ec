// createOutbox: enqueue stores a record (its id fixed inside it) durably before it resolves; delivery
// runs in the background through the client's bulk sender; flush, close, stats, dead and replay.

import type { Enable3Client } from "../client/create-client.js";
import { eventBody, revenueBody } from "../client/request-bodies.js";
import { Enable3AbortError, Enable3TimeoutError, Enable3ValidationError } from "../errors/classes.js";
import * as check from "../internal/validate.js";
import type { SqlClient } from "../postgres/sql-client.js";
import { outboxMetrics } from "../telemetry/component-metrics.js";
import { installedOpenTelemetry } from "../telemetry/installed.js";
import type { JsonValue, NewRecord, OutboxStore, StoreSession } from "./contract.js";
import { type Delivery, startDelivery } from "./delivery.js";
import { asOutboxError, Enable3OutboxError } from "./errors.js";
import { createHookCaller } from "./hooks.js";
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
} from "./outbox-types.js";
import { OUTBOX_DEFAULTS } from "./policy.js";

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
  const maxPending = o.maxPending === undefined ? Infinity : check.numberIn(o.maxPending, "options.maxPending", 1);
  for (const name of ["onDelivered", "onRetry", "onDead", "onError", "takeDead", "deadLetter"] as const) {
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
        delivery = startDelivery({ client, session, concurrency, policy, hook, deadLetter: o.takeDead ?? o.deadLetter });
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
    check.checkKnownKeys(e, ENQUEUE_OPTION_KEYS, "options");
    if (e.context !== undefined) e.context = check.jsonValue(e.context, "options.context") as JsonValue;
    if (e.orderingKey !== undefined) check.nonBlankString(e.orderingKey, "options.orderingKey");
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
      await add({ kind: "event", id: body.id, body, context: e?.context, orderingKey: e?.orderingKey }, e);
      return { id: body.id };
    },
    async enqueueRevenue(revenue, options) {
      const e = enqueueOptions(options);
      const body = revenueBody(revenue);
      await add({ kind: "revenue", id: body.requestId, body, context: e?.context, orderingKey: e?.orderingKey }, e);
      return { requestId: body.requestId };
    },
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

// The background delivery loop: records the store hands out, in takes big enough to be cheap, are
// queued (delivery-queue.ts) and sent by the client's record sender with the bodies checked at enqueue
// (never `concurrency` more in flight, one limit for both kinds); each outcome is judged (policy.ts),
// recorded in the store in batches (settlement-writer.ts), and only then told to the hooks.
import type { Enable3Client } from "../client/create-client.js";
import { type PreparedSends, preparedSendsOf } from "../client/prepared-sends.js";
import { sendRecords } from "../client/record-sender.js";
import type { Enable3Error } from "../errors/base.js";
import { Enable3AbortError } from "../errors/network.js";
import { waitFor } from "../internal/timers.js";
import { forgetQueueLink, linkQueuedCall } from "../telemetry/queue-trace.js";
import type { CallSettings } from "../transport/contract.js";
import type { DeadRecord, OutboxKind, Settlement, StoredRecord, StoreSession } from "./contract.js";
import { createDeliveryQueue, type DeliveryQueue } from "./delivery-queue.js";
import { asOutboxError } from "./errors.js";
import type { createHookCaller, OutboxAttemptInfo, OutboxHooks } from "./hooks.js";
import { createPauseGate } from "./pause.js";
import { judge, type RetryPolicy, summarize } from "./policy.js";
import { createRecordAges } from "./record-age.js";
import { createSettlementWriter, STORE_RETRY_MS } from "./settlement-writer.js";

export interface DeliveryOptions {
  client: Enable3Client;
  session: StoreSession;
  concurrency: number;
  policy: RetryPolicy;
  hook: ReturnType<typeof createHookCaller>;
  /** The hooks given: what is told to none is not built. Absent: as if every hook were given. */
  hooks?: OutboxHooks | undefined;
  /** Takes dead records instead of the store (see OutboxOptions.deadLetter). */
  deadLetter: ((record: DeadRecord) => void | Promise<void>) | undefined;
  /** Told each outcome once it is recorded, whether or not a hook is given (the outbox's history). */
  heard?: ((outcome: "onDelivered" | "onRetry" | "onDead") => void) | undefined;
}

export interface Delivery {
  /** Records handed to the sender and not settled yet. */
  inFlight(): number;
  /** Why delivery is paused (the API refuses this server), if it is. */
  paused(): Error | undefined;
  /** Records delivered since the loop started. */
  delivered(): number;
  /** Stops taking records; lets those in flight finish for up to `timeoutMs`, then aborts them (they stay queued). */
  stop(timeoutMs: number): Promise<void>;
  /** Aborts the requests in flight now (a stop under way ends without waiting for them). */
  hurry(): void;
}

/** The operation each kind is sent as (what hooks and spans call it). */
const OPERATION = {
  event: "sendEvent",
  revenue: "sendRevenue",
  assignSegments: "assignSegments",
  removeSegments: "removeSegments",
} as const;

/** Each kind's one call on a stored body (checked at enqueue): a kind added to the outbox is one more line. */
function sendersByKind(sends: PreparedSends): Record<OutboxKind, (body: never, settings: CallSettings) => Promise<unknown>> {
  return { event: sends.event, revenue: sends.revenue, assignSegments: sends.assignSegments, removeSegments: sends.removeSegments };
}

export function startDelivery(o: DeliveryOptions): Delivery {
  const sends = preparedSendsOf(o.client);
  const byKind = sendersByKind(sends);
  const abortCalls = new AbortController();
  // resolved once: every call shares these settings and the one signal that aborts them
  const settings = sends.settings({ signal: abortCalls.signal });
  const hooks = o.hooks ?? { onDelivered: true, onRetry: true, onDead: true };
  const startedAt = hooks.onDelivered || hooks.onRetry || hooks.onDead ? new Map<StoredRecord, number>() : undefined;
  const state: DeliveryState = { held: 0, inFlight: 0, delivered: 0, stopping: false };

  const gate = createPauseGate(
    o.policy,
    (error) => o.hook("onError", error),
    () => queue.wake(),
  );
  const queue = createDeliveryQueue(gate);
  const writer = createSettlementWriter(
    o.session,
    (error) => o.hook("onError", error),
    () => state.stopping && abortCalls.signal.aborted,
  );
  const settle = (settlement: Settlement, after?: () => void) => {
    state.held--;
    reader.freed();
    writer.add(settlement, after);
  };
  const countDelivered = () => {
    state.delivered++;
    o.heard?.("onDelivered");
  };
  const judged = judgement(o, { ages: createRecordAges(o.policy), gate, queue, abortCalls, startedAt, hooks, settle, countDelivered });

  const reader = startReading(o, state, queue, settle);
  const next = () => {
    const record = queue.next();
    if (record instanceof Promise) return record.then(handOut);
    return handOut(record);
  };
  const handOut = (record: StoredRecord | undefined) => {
    if (record === undefined) return undefined;
    state.inFlight++;
    startedAt?.set(record, performance.now());
    return record;
  };
  // where a record becomes a call: per-record call options (a trace link to its enqueuing span) go here
  const send = (record: StoredRecord) => {
    linkQueuedCall(record.id, record.traceparent); // the call's span links to the enqueuing span
    return byKind[record.kind](record.body as never, settings);
  };
  const settled = (record: StoredRecord, error: Enable3Error | undefined) => {
    forgetQueueLink(record.id);
    state.inFlight--;
    if (record.kind === "event" || record.kind === "revenue")
      sends.settled(OPERATION[record.kind] as "sendEvent" | "sendRevenue", error === undefined ? "delivered" : "failed");
    judged(record, error);
  };
  const sending = sendRecords(next, send, settled, o.concurrency).catch((error) => o.hook("onError", error as Error));

  return {
    inFlight: () => state.inFlight,
    delivered: () => state.delivered,
    paused: () => gate.problem(),
    hurry: () => abortCalls.abort(new Enable3AbortError("the outbox closed")),
    async stop(timeoutMs) {
      state.stopping = true;
      gate.stop();
      const reading = reader.stop();
      for (const record of queue.stop()) settle({ key: record.key, outcome: "released" });
      await reading;
      // one bound for both: the calls in flight, and recording what they settled (a store that keeps
      // failing gives up once it runs out; what was not recorded is sent again next time, same ids)
      const timer = setTimeout(() => abortCalls.abort(new Enable3AbortError("the outbox closed")), timeoutMs);
      try {
        await sending;
        await writer.written();
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** What the loop counts: records taken and not done with (queued here or in flight), in flight, delivered. */
interface DeliveryState {
  held: number;
  inFlight: number;
  delivered: number;
  stopping: boolean;
}

/**
 * Takes records from the store ahead of the sender, enough that no request slot waits on the store, in
 * takes big enough to be cheap; a failed take is told to onError and asked again.
 */
function startReading(o: DeliveryOptions, state: DeliveryState, queue: DeliveryQueue, settle: (settlement: Settlement) => void) {
  const stopTaking = new AbortController();
  const readAhead = Math.max(128, o.concurrency * 8);
  let freed: (() => void) | undefined;
  const pump = async () => {
    while (!state.stopping) {
      const room = readAhead - state.held;
      if (room < readAhead / 2) {
        await new Promise<void>((resolve) => (freed = resolve));
        continue;
      }
      let records: StoredRecord[];
      try {
        records = await o.session.take(room, stopTaking.signal);
      } catch (error) {
        if (stopTaking.signal.aborted) break;
        o.hook("onError", asOutboxError(error, "read_failed", "cannot take records to deliver (asked again)"));
        await waitFor(undefined, stopTaking.signal, STORE_RETRY_MS);
        continue;
      }
      state.held += records.length;
      if (!state.stopping) queue.push(records);
      else for (const record of records) settle({ key: record.key, outcome: "released" });
    }
  };
  const pumping = pump().catch((error) => o.hook("onError", error as Error));
  return {
    /** Records were done with: room to read again. */
    freed: () => freed?.(),
    /** Stops reading (`state.stopping` is set); resolves once the last take returned. */
    stop(): Promise<unknown> {
      stopTaking.abort();
      freed?.();
      return pumping;
    },
  };
}

interface JudgementParts {
  ages: ReturnType<typeof createRecordAges>;
  gate: ReturnType<typeof createPauseGate>;
  queue: ReturnType<typeof createDeliveryQueue>;
  abortCalls: AbortController;
  startedAt: Map<StoredRecord, number> | undefined;
  hooks: { onDelivered?: unknown; onRetry?: unknown; onDead?: unknown };
  settle: (settlement: Settlement, after?: () => void) => void;
  countDelivered: () => void;
}

/** What becomes of a record after its attempt: the verdict, its settlement, and what the hooks are told once it is recorded. */
function judgement(o: DeliveryOptions, p: JudgementParts) {
  const { ages, gate, queue, abortCalls, startedAt, hooks, settle, countDelivered } = p;
  /** What every hook is told; built only for a hook that was given. */
  const infoOf = (record: StoredRecord, attempt: number, error: Enable3Error | undefined): OutboxAttemptInfo => {
    const started = startedAt?.get(record);
    return {
      operation: OPERATION[record.kind],
      id: record.id,
      attempt,
      status: statusOf(error),
      elapsedMs: started === undefined ? 0 : performance.now() - started,
      ageMs: Math.max(0, Date.now() - record.enqueuedAt),
      context: record.context,
    };
  };
  return (record: StoredRecord, error: Enable3Error | undefined) => {
    const probe = queue.wasProbe(record);
    const attempt = record.attempts + 1;
    try {
      if (error instanceof Enable3AbortError && abortCalls.signal.aborted) return settle({ key: record.key, outcome: "released" });
      if (error === undefined) {
        gate.answered();
        ages.forget(record);
        if (!hooks.onDelivered) return settle({ key: record.key, outcome: "delivered" }, countDelivered);
        const info = infoOf(record, attempt, error);
        return settle({ key: record.key, outcome: "delivered" }, () => {
          countDelivered();
          o.hook("onDelivered", info);
        });
      }
      const verdict = judge(error, attempt, ages.ageOf(record), o.policy);
      if (verdict.outcome === "delivered" || verdict.outcome === "dead") ages.forget(record);
      // the API refuses this server, not the record: it goes back as it was, its attempt not counted
      if (verdict.outcome === "pause") {
        gate.refused(error, probe);
        return settle({ key: record.key, outcome: "released" });
      }
      gate.answered();
      if (verdict.outcome === "delivered") {
        const info = hooks.onDelivered ? infoOf(record, attempt, error) : undefined;
        return settle({ key: record.key, outcome: "delivered" }, () => {
          countDelivered();
          if (info) o.hook("onDelivered", info);
        });
      }
      const failure = summarize(error);
      if (verdict.outcome === "retry") {
        const settlement = { key: record.key, outcome: "retry", attempts: attempt, delayMs: verdict.delayMs, error: failure } as const;
        if (!hooks.onRetry) return settle(settlement, () => o.heard?.("onRetry"));
        const info = { ...infoOf(record, attempt, error), error, delayMs: verdict.delayMs };
        return settle(settlement, () => {
          o.heard?.("onRetry");
          o.hook("onRetry", info);
        });
      }
      buried(o, record, attempt, error, hooks.onDead ? infoOf(record, attempt, error) : undefined, settle);
    } finally {
      startedAt?.delete(record);
    }
  };
}

/** A record given up on: to the dead-letter taker when there is one (the store forgets it only once the taker has it), else kept dead by the store. */
function buried(
  o: DeliveryOptions,
  record: StoredRecord,
  attempt: number,
  error: Enable3Error,
  info: OutboxAttemptInfo | undefined,
  settle: (settlement: Settlement, after?: () => void) => void,
) {
  const failure = summarize(error);
  const dead: DeadRecord = {
    kind: record.kind,
    id: record.id,
    body: record.body,
    attempts: attempt,
    error: failure,
    enqueuedAt: record.enqueuedAt,
    diedAt: Date.now(),
    ...(record.context === undefined ? {} : { context: record.context }),
  };
  const told = () => {
    o.heard?.("onDead");
    if (info) o.hook("onDead", { ...info, error, record: dead, released: record.orderingKey });
  };
  if (!o.deadLetter) return settle({ key: record.key, outcome: "dead", attempts: attempt, error: failure }, told);
  const taker = o.deadLetter;
  Promise.resolve()
    .then(() => taker(dead))
    .then(
      () => settle({ key: record.key, outcome: "delivered" }, told),
      (cause) => {
        o.hook("onError", cause as Error);
        settle({ key: record.key, outcome: "retry", attempts: record.attempts, delayMs: o.policy.initialDelayMs, error: failure });
      },
    );
}

function statusOf(error: Enable3Error | undefined): number | undefined {
  const status = (error as { status?: unknown } | undefined)?.status;
  return typeof status === "number" ? status : undefined;
}

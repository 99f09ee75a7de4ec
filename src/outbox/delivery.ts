// The background delivery loop: records the store hands out, in takes big enough to be cheap, are
// queued (delivery-queue.ts, filled by delivery-reading.ts) and sent by the client's record sender with
// the bodies checked at enqueue (never `concurrency` more in flight, one limit for both kinds); each
// outcome is judged (delivery-judgement.ts over policy.ts), recorded in the store in batches
// (settlement-writer.ts), and only then told to the hooks.
import type { Enable3Client } from "../client/create-client.js";
import { type PreparedSends, preparedSendsOf } from "../client/prepared-sends.js";
import { sendRecords } from "../client/record-sender.js";
import type { Enable3Error } from "../errors/base.js";
import { Enable3AbortError } from "../errors/network.js";
import { forgetQueueLink, linkQueuedCall } from "../telemetry/queue-trace.js";
import type { CallSettings } from "../transport/contract.js";
import type { DeadRecord, OutboxKind, Settlement, StoredRecord, StoreSession } from "./contract.js";
import { judgement, OPERATION } from "./delivery-judgement.js";
import { createDeliveryQueue, type DeliveryQueue } from "./delivery-queue.js";
import { startReading } from "./delivery-reading.js";
import type { createHookCaller, OutboxHooks } from "./hooks.js";
import { createPauseGate } from "./pause.js";
import type { RetryPolicy } from "./policy.js";
import { createRecordAges } from "./record-age.js";
import { createSettlementWriter } from "./settlement-writer.js";

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

/** What the loop counts: records taken and not done with (queued here or in flight), in flight, delivered. */
export interface DeliveryState {
  held: number;
  inFlight: number;
  delivered: number;
  stopping: boolean;
}

/** Each kind's one call on a stored body (checked at enqueue): a kind added to the outbox is one more line. */
function sendersByKind(sends: PreparedSends): Record<OutboxKind, (body: never, settings: CallSettings) => Promise<unknown>> {
  return { event: sends.event, revenue: sends.revenue, assignSegments: sends.assignSegments, removeSegments: sends.removeSegments };
}

export function startDelivery(o: DeliveryOptions): Delivery {
  const sends = preparedSendsOf(o.client);
  const abortCalls = new AbortController();
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
  const sending = startSending(o, { sends, abortCalls, state, queue, startedAt, judged });

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

interface SendingParts {
  sends: PreparedSends;
  abortCalls: AbortController;
  state: DeliveryState;
  queue: DeliveryQueue;
  startedAt: Map<StoredRecord, number> | undefined;
  judged: (record: StoredRecord, error: Enable3Error | undefined) => void;
}

/**
 * The request slots: the record sender takes the queue's records, `concurrency` at a time, and hands
 * each outcome to the judgement. Resolves once the queue is stopped and the last call settled.
 */
function startSending(o: DeliveryOptions, p: SendingParts): Promise<unknown> {
  const { sends, state, queue, startedAt, judged } = p;
  const byKind = sendersByKind(sends);
  // resolved once: every call shares these settings and the one signal that aborts them
  const settings = sends.settings({ signal: p.abortCalls.signal });
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
  return sendRecords(next, send, settled, o.concurrency).catch((error) => o.hook("onError", error as Error));
}

// What becomes of a record after its attempt (policy.ts judges the error): delivered, retried later,
// released untouched while the API refuses this server, or dead (to the dead-letter taker if one is
// given); its settlement goes to the settlement writer, and the hooks hear it once it is recorded.
import type { Enable3Error } from "../errors/base.js";
import { Enable3AbortError } from "../errors/network.js";
import type { DeadRecord, FailureSummary, Settlement, StoredRecord } from "./contract.js";
import type { DeliveryOptions } from "./delivery.js";
import type { DeliveryQueue } from "./delivery-queue.js";
import type { OutboxAttemptInfo } from "./hooks.js";
import type { PauseGate } from "./pause.js";
import { judge, summarize } from "./policy.js";
import type { createRecordAges } from "./record-age.js";

/** The operation each kind is sent as (what hooks and spans call it). */
export const OPERATION = {
  event: "sendEvent",
  revenue: "sendRevenue",
  assignSegments: "assignSegments",
  removeSegments: "removeSegments",
} as const;

export interface JudgementParts {
  ages: ReturnType<typeof createRecordAges>;
  gate: PauseGate;
  queue: DeliveryQueue;
  abortCalls: AbortController;
  startedAt: Map<StoredRecord, number> | undefined;
  hooks: { onDelivered?: unknown; onRetry?: unknown; onDead?: unknown };
  settle: (settlement: Settlement, after?: () => void) => void;
  countDelivered: () => void;
}

/** What becomes of a record after its attempt: the verdict, its settlement, and what the hooks are told once it is recorded. */
export function judgement(o: DeliveryOptions, p: JudgementParts) {
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
      buried(o, record, attempt, error, failure, hooks.onDead ? infoOf(record, attempt, error) : undefined, settle);
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
  failure: FailureSummary,
  info: OutboxAttemptInfo | undefined,
  settle: (settlement: Settlement, after?: () => void) => void,
) {
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

// The components' own metrics, on the app's @opentelemetry/api: an outbox's records (read from its
// stats() when the app collects) and a withdrawal receiver's deliveries. A client's calls are in
// opentelemetry.ts.

import { PACKAGE_VERSION } from "../internal/version.js";
import type { Attributes, OpenTelemetryApi } from "./otel-api.js";
import { DURATION_BUCKETS, INSTRUMENTATION_NAME } from "./otel-api.js";

/** The numbers of an outbox's OutboxStats (outbox-types.ts) that its metrics read: "stats" is what an outbox reports, "counts" what a store counts (StoreCounts). */
export interface MeteredOutboxStats {
  pending: number;
  inFlight: number;
  dead: number;
  oldestPendingMs: number;
  delivered: number;
}

/**
 * An outbox's metrics, read from its stats() whenever the app's reader collects (nothing is counted
 * per record): pending, in flight and dead records, the oldest pending record's age, and deliveries.
 */
export function outboxMetrics(api: OpenTelemetryApi): (store: string, stats: () => MeteredOutboxStats) => () => void {
  const meter = api.metrics.getMeter(INSTRUMENTATION_NAME, PACKAGE_VERSION);
  const gauge = (name: string, description: string, unit?: string) =>
    meter.createObservableGauge(name, { description, ...(unit ? { unit } : {}) });
  const instruments = {
    pending: gauge("enable3.outbox.pending", "Records waiting to be sent."),
    inFlight: gauge("enable3.outbox.in_flight", "Records being sent now."),
    dead: gauge("enable3.outbox.dead", "Dead records kept by the store (see outbox.dead())."),
    oldestPendingMs: gauge("enable3.outbox.oldest_pending_age", "How long the oldest pending record has waited.", "s"),
    delivered: meter.createObservableCounter("enable3.outbox.delivered", { description: "Records this outbox delivered." }),
  };
  return (store, stats) => {
    const attributes: Attributes = { "enable3.outbox.store": store };
    const callbacks = Object.entries(instruments).map(([key, instrument]) => {
      const callback = (result: { observe(value: number, attributes?: Attributes): void }) => {
        const value = stats()[key as keyof MeteredOutboxStats];
        result.observe(key === "oldestPendingMs" ? value / 1000 : value, attributes);
      };
      instrument.addCallback(callback);
      return () => instrument.removeCallback(callback);
    });
    return () => {
      for (const remove of callbacks) remove();
    };
  };
}

/** One delivery to a withdrawal receiver, as its metrics see it (never the transactionId: it is unbounded). */
export interface ReceiverDelivery {
  outcome: "processed" | "duplicate" | "refused" | "failed";
  reason?: string | undefined;
  status: number;
  elapsedMs: number;
}

/** The withdrawal receiver's metrics: deliveries by outcome, and how long each took to answer. */
export function receiverMetrics(api: OpenTelemetryApi): (delivery: ReceiverDelivery) => void {
  const meter = api.metrics.getMeter(INSTRUMENTATION_NAME, PACKAGE_VERSION);
  const deliveries = meter.createCounter("enable3.callback.deliveries", {
    description: "Withdrawal callbacks received, by outcome (processed, duplicate, refused, failed).",
  });
  const duration = meter.createHistogram("enable3.callback.duration", {
    unit: "s",
    description: "Time from a withdrawal callback's arrival to its answer.",
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  });
  return ({ outcome, reason, status, elapsedMs }) => {
    const attributes: Attributes = { "enable3.outcome": outcome, "http.response.status_code": status };
    if (reason !== undefined) attributes["enable3.reason"] = reason;
    deliveries.add(1, attributes);
    duration.record(elapsedMs / 1000, attributes);
  };
}

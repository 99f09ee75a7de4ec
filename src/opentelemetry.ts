// enable3-client/opentelemetry: OpenTelemetry for a client, on the app's own @opentelemetry/api (an
// optional peer: only this entry imports it). Node clients use it on their own when the API is installed.
import * as api from "@opentelemetry/api";
import { outboxMetrics, receiverMetrics } from "./telemetry/component-metrics.js";
import { checkOpenTelemetryOptions, type OpenTelemetryOptions, openTelemetrySignal, type Telemetry } from "./telemetry/opentelemetry.js";
import { activeTraceparent } from "./telemetry/queue-trace.js";

export type { OpenTelemetryOptions, Telemetry } from "./telemetry/opentelemetry.js";

/**
 * OpenTelemetry for a client (`telemetry` option): a span per call and per HTTP attempt (the HTTP
 * client conventions), the request-duration histogram, retry and bulk counters, and W3C traceparent
 * sent to Enable3; for a withdrawal receiver (its `telemetry` option), deliveries by outcome and their
 * duration; for an outbox (its `telemetry` option), its pending, in-flight and dead records, the oldest
 * pending record's age and its deliveries. Never the key, the callback secret, a user id or a body, unless opted in per attribute.
 * @example
 * import { createEnable3Client } from "enable3-client";
 * import { openTelemetry } from "enable3-client/opentelemetry";
 * const enable3 = createEnable3Client({ telemetry: openTelemetry({ propagateContext: false }) });
 */
export function openTelemetry(options: OpenTelemetryOptions = {}): Telemetry {
  const o = checkOpenTelemetryOptions(options);
  const chosen = o.api ?? api;
  return {
    signal: openTelemetrySignal(chosen, o),
    receiverDelivery: receiverMetrics(chosen),
    outboxStats: outboxMetrics(chosen),
    activeTraceparent: () => activeTraceparent(chosen),
  };
}

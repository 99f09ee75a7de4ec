// OpenTelemetry for every call: a span per SDK call and a child span per HTTP attempt, after the
// stable HTTP client conventions, and the request-duration histogram and retry counters. Only route
// templates, methods, hosts and statuses are recorded: never the key, a user id or a body, unless the
// operator opts in to the one attribute that holds a user id (`url.full`).
import type { Attempt } from "../transport/contract.js";
import type { Attributes, OpenTelemetryApi, OtelSpan } from "./otel-api.js";
import { SPAN_KIND_CLIENT, SPAN_KIND_INTERNAL, STATUS_ERROR } from "./otel-api.js";
import type { CallScope, CallStart } from "./scope.js";

/**
 * OpenTelemetry options of a client. With `@opentelemetry/api` installed, Node clients find it on
 * their own; elsewhere pass it as `api`. Spans and metrics go to whatever provider the app registered.
 * @example
 * import * as api from "@opentelemetry/api";
 * const enable3 = createEnable3Client({ telemetry: { api, propagateContext: false } });
 */
export interface TelemetryOptions {
  /** The `@opentelemetry/api` module (`import * as api from "@opentelemetry/api"`). @default on Node, the installed one */
  api?: OpenTelemetryApi | undefined;
  /** Send W3C `traceparent` (and `tracestate`) to Enable3, so its side can join the trace. @default true */
  propagateContext?: boolean | undefined;
  /** Opt-ins, one per attribute, for what is never recorded otherwise. */
  record?:
    | {
        /** `url.full` on attempt spans: the requested URL, which holds the user's id for user operations. @default false */
        urlFull?: boolean | undefined;
      }
    | undefined;
}

const SCOPE_NAME = "enable3-client";
/** The buckets the HTTP conventions advise for http.client.request.duration, in seconds. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

export type OpenTelemetryScopes = (start: CallStart) => CallScope;

/** Spans and metrics for each call, on the given API. */
export function openTelemetryScopes(api: OpenTelemetryApi, options: TelemetryOptions, version: string): OpenTelemetryScopes {
  const tracer = api.trace.getTracer(SCOPE_NAME, version);
  const meter = api.metrics.getMeter(SCOPE_NAME, version);
  const duration = meter.createHistogram("http.client.request.duration", {
    unit: "s",
    description: "Duration of HTTP client requests (one per attempt).",
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  });
  const retries = meter.createCounter("enable3.client.retries", { description: "Attempts the SDK retried." });
  const refusals = meter.createCounter("enable3.client.retry_refusals", {
    description: "Retries the SDK did not make: the retry budget was short, or the server asked for a longer wait than allowed.",
  });
  const propagate = options.propagateContext !== false;
  const recordUrl = options.record?.urlFull === true;

  return ({ operation, method, urlTemplate, url, serverAddress, serverPort }) => {
    const common: Attributes = { "http.request.method": method, "server.address": serverAddress, "server.port": serverPort };
    if (urlTemplate !== undefined) common["url.template"] = urlTemplate;
    const metricBase: Attributes = { ...common, "enable3.operation": operation };
    const parent = api.context.active();
    const callSpan = tracer.startSpan(
      `enable3.${operation}`,
      { kind: SPAN_KIND_INTERNAL, attributes: { "enable3.operation": operation } },
      parent,
    );
    const callContext = api.trace.setSpan(parent, callSpan);
    let attemptSpan: OtelSpan | undefined;
    let attemptStarted = 0;
    return {
      attemptStarted(attempt) {
        attemptStarted = performance.now();
        const attributes: Attributes = { ...common };
        if (attempt > 1) attributes["http.request.resend_count"] = attempt - 1;
        if (recordUrl) attributes["url.full"] = url;
        const span = tracer.startSpan(
          urlTemplate === undefined ? method : `${method} ${urlTemplate}`,
          { kind: SPAN_KIND_CLIENT, attributes },
          callContext,
        );
        attemptSpan = span;
        if (!propagate) return undefined;
        const carrier: Record<string, string> = {};
        api.propagation.inject(api.trace.setSpan(callContext, span), carrier);
        return carrier;
      },
      attemptEnded(_attempt, outcome) {
        const errorType = errorTypeOf(outcome);
        const status = outcome.response?.status;
        const span = attemptSpan;
        if (span?.isRecording()) {
          if (status !== undefined) span.setAttribute("http.response.status_code", status);
          if (errorType !== undefined) {
            span.setAttribute("error.type", errorType);
            span.setStatus({ code: STATUS_ERROR });
          }
        }
        span?.end();
        attemptSpan = undefined;
        duration.record((performance.now() - attemptStarted) / 1000, {
          ...metricBase,
          "http.response.status_code": status,
          "error.type": errorType,
          "enable3.status_class":
            status === undefined ? (outcome.failure?.kind === "aborted" ? "aborted" : "error") : `${Math.floor(status / 100)}xx`,
        });
      },
      retryScheduled(_attempt, _waitMs, outcome) {
        retries.add(1, { ...metricBase, "error.type": errorTypeOf(outcome) });
      },
      retryRefused(reason) {
        refusals.add(1, { ...metricBase, "enable3.reason": reason });
      },
      ended(result, attempts) {
        if (callSpan.isRecording()) {
          callSpan.setAttribute("enable3.attempts", attempts);
          // the caller's abort is the caller's choice, not a failure of the call
          if (result.error !== undefined && result.error.code !== "aborted" && result.error.code !== "not_sent") {
            callSpan.setAttribute("error.type", result.error.code ?? result.error.name);
            callSpan.setStatus({ code: STATUS_ERROR, message: result.error.name });
          }
        }
        callSpan.end();
      },
    };
  };
}

/** `error.type`: the status for an HTTP error, what ended the attempt without one, undefined for a success or an abort. */
function errorTypeOf(outcome: Awaited<ReturnType<Attempt>>): string | undefined {
  if (outcome.response) return outcome.response.status >= 400 ? String(outcome.response.status) : undefined;
  return outcome.failure.kind === "aborted" ? undefined : outcome.failure.kind;
}

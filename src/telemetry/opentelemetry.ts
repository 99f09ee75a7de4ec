// OpenTelemetry for every call: a span per SDK call and a child span per HTTP attempt, after the
// stable HTTP client conventions, and the request-duration histogram, retry and bulk counters. Only
// route templates, methods, hosts and statuses are recorded: never the key, a user id or a body,
// unless the operator opts in to the one attribute that holds a user id (`url.full`).
import type { AttemptOutcome } from "../transport/contract.js";
import type { Signal } from "./observe.js";
import { templateOf } from "./operation-templates.js";
import type { Attributes, OpenTelemetryApi, OtelSpan } from "./otel-api.js";
import { SPAN_KIND_CLIENT, SPAN_KIND_INTERNAL, STATUS_ERROR } from "./otel-api.js";

/**
 * Options of {@link openTelemetry}. Spans and metrics go to whatever providers the app registered.
 * @example
 * import { openTelemetry } from "enable3-client/opentelemetry";
 * const enable3 = createEnable3Client({ telemetry: openTelemetry({ propagateContext: false }) });
 */
export interface OpenTelemetryOptions {
  /** The `@opentelemetry/api` module to use. @default the one `enable3-client/opentelemetry` imports */
  api?: OpenTelemetryApi | undefined;
  /** Send W3C `traceparent` (and `tracestate`) to Enable3 with each attempt, so its side can join the trace. @default true */
  propagateContext?: boolean | undefined;
  /** Opt-ins, one per attribute, for what is never recorded otherwise. */
  record?:
    | {
        /** `url.full` on attempt spans: the requested URL, which holds the user's id for user operations. @default false */
        urlFull?: boolean | undefined;
      }
    | undefined;
}

/** The instrumentation scope's name and version. */
export const INSTRUMENTATION_NAME = "enable3-client";
/** The buckets the HTTP conventions advise for http.client.request.duration, in seconds. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/**
 * A client's telemetry, made by `openTelemetry()` (from `enable3-client/opentelemetry`) and given as the
 * client's `telemetry` option. On Node a client finds an installed `@opentelemetry/api` without it.
 */
export interface Telemetry {
  /** @internal what the client's observer joins in */
  readonly signal: unknown;
  /** @internal counts a withdrawal receiver's deliveries */
  readonly receiverDelivery?: ((delivery: ReceiverDelivery) => void) | undefined;
  /** @internal reads an outbox's stats when the app collects; the function it returns stops that */
  readonly outboxStats?: ((store: string, stats: () => OutboxCounts) => () => void) | undefined;
}

/** What an outbox's metrics read of its stats(). */
export interface OutboxCounts {
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
export function outboxMetrics(api: OpenTelemetryApi): (store: string, stats: () => OutboxCounts) => () => void {
  const meter = api.metrics.getMeter(INSTRUMENTATION_NAME);
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
        const value = stats()[key as keyof OutboxCounts];
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
  const meter = api.metrics.getMeter(INSTRUMENTATION_NAME);
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

/** Spans and metrics for each call, on the given API. */
export function openTelemetrySignal(api: OpenTelemetryApi, options: OpenTelemetryOptions): Signal {
  const tracer = api.trace.getTracer(INSTRUMENTATION_NAME);
  const meter = api.metrics.getMeter(INSTRUMENTATION_NAME);
  const duration = meter.createHistogram("http.client.request.duration", {
    unit: "s",
    description: "Duration of HTTP client requests (one per attempt).",
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  });
  const retries = meter.createCounter("enable3.client.retries", { description: "Attempts the SDK made again." });
  const refusals = meter.createCounter("enable3.client.retry_refusals", {
    description: "Retries the SDK did not make: the retry budget was short, or the server asked for a longer wait than allowed.",
  });
  const bulkItems = meter.createCounter("enable3.bulk.items", { description: "Items of bulk runs, by how they settled." });
  const propagate = options.propagateContext !== false;
  const recordUrl = options.record?.urlFull === true;
  const attributesOf = callAttributeCache();

  return {
    bulkItemSettled(operation, outcome) {
      bulkItems.add(1, { "enable3.operation": operation, "enable3.outcome": outcome });
    },
    call(ctx, request) {
      const { operation } = ctx;
      const { method, url } = request;
      const urlTemplate = templateOf(operation);
      const { common, metric, measured } = attributesOf(operation, method, url, urlTemplate);
      const parent = api.context.active();
      const callSpan = tracer.startSpan(
        `enable3.${operation}`,
        { kind: SPAN_KIND_INTERNAL, attributes: { "enable3.operation": operation } },
        parent,
      );
      // With no tracer provider (or a sampler that drops the call) the call span records nothing:
      // its attempts would not either, so none are made, and a context is sent on only when the
      // caller's trace is real (a non-recording span still carries its ids, so Enable3 joins it).
      const recording = callSpan.isRecording();
      const callContext = recording || hasTrace(callSpan) ? api.trace.setSpan(parent, callSpan) : undefined;
      let attemptSpan: OtelSpan | undefined;
      let attemptStarted = 0;
      let lastStatus: number | undefined;
      return {
        attemptStarted(attempt) {
          attemptStarted = performance.now();
          if (callContext === undefined) return undefined;
          if (recording) {
            const attributes: Attributes = { ...common };
            if (attempt > 1) attributes["http.request.resend_count"] = attempt - 1;
            if (recordUrl) attributes["url.full"] = url;
            const name = urlTemplate === undefined ? method : `${method} ${urlTemplate}`;
            attemptSpan = tracer.startSpan(name, { kind: SPAN_KIND_CLIENT, attributes }, callContext);
          }
          if (!propagate) return undefined;
          const carrier: Record<string, string> = {};
          api.propagation.inject(attemptSpan ? api.trace.setSpan(callContext, attemptSpan) : callContext, carrier);
          return Object.keys(carrier).length ? carrier : undefined;
        },
        attemptEnded(_attempt, outcome) {
          const errorType = errorTypeOf(outcome);
          const status = outcome.response?.status;
          lastStatus = status;
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
          const key = status ?? outcome.failure?.kind ?? "";
          let attributes = measured.get(key);
          if (attributes === undefined) {
            attributes = { ...metric, "enable3.status_class": statusClassOf(outcome) };
            if (status !== undefined) attributes["http.response.status_code"] = status;
            if (errorType !== undefined) attributes["error.type"] = errorType;
            measured.set(key, attributes);
          }
          duration.record((performance.now() - attemptStarted) / 1000, attributes);
        },
        retryScheduled(_attempt, _waitMs, outcome) {
          const attributes: Attributes = { ...metric };
          const errorType = errorTypeOf(outcome);
          if (errorType !== undefined) attributes["error.type"] = errorType;
          retries.add(1, attributes);
        },
        retryRefused(reason) {
          refusals.add(1, { ...metric, "enable3.reason": reason });
        },
        ended(result) {
          // the caller's abort is the caller's choice, not a failure of the call
          const failed = result.error
            ? result.error.code !== "aborted" && result.error.code !== "not_sent"
            : (result.status ?? lastStatus ?? 0) >= 400;
          if (callSpan.isRecording()) {
            callSpan.setAttribute("enable3.attempts", ctx.attempts);
            if (failed) {
              callSpan.setAttribute("error.type", result.error?.code ?? String(result.status ?? lastStatus));
              callSpan.setStatus({ code: STATUS_ERROR, message: result.error?.name });
            }
          }
          callSpan.end();
        },
      };
    },
  };
}

/** `error.type`: the status of an HTTP error, else what ended the attempt without one; undefined for a success or an abort. */
function errorTypeOf(outcome: AttemptOutcome): string | undefined {
  if (outcome.response) return outcome.response.status >= 400 ? String(outcome.response.status) : undefined;
  return outcome.failure.kind === "aborted" ? undefined : outcome.failure.kind;
}

/** "2xx"…"5xx", or "aborted", or "failed" for an attempt without a response. */
function statusClassOf(outcome: AttemptOutcome): string {
  if (outcome.response) return `${Math.floor(outcome.response.status / 100)}xx`;
  return outcome.failure.kind === "aborted" ? "aborted" : "failed";
}

/** The attributes a call shares with its attempts and its measurements. */
interface CallAttributes {
  common: Attributes;
  metric: Attributes;
  /** each measurement's attributes by the status or the failure it records: built once, as the meter only reads them */
  measured: Map<number | string, Attributes>;
}

/**
 * The attributes of each operation and method, built once per server: a client calls one base URL
 * with a few dozen operations, and building them per call was most of the signal's cost when no
 * provider is registered. Another server starts the set anew.
 */
function callAttributeCache(): (operation: string, method: string, url: string, urlTemplate: string | undefined) => CallAttributes {
  let origin = "";
  // by operation, then method: constant strings, so no key is built per call
  let byCall = new Map<string, Map<string, CallAttributes>>();
  return (operation, method, url, urlTemplate) => {
    if (!(url.startsWith(origin) && "/?#".includes(url.charAt(origin.length)))) {
      origin = originOf(url);
      byCall = new Map();
    }
    let byMethod = byCall.get(operation);
    if (byMethod === undefined) {
      byMethod = new Map();
      byCall.set(operation, byMethod);
    }
    let found = byMethod.get(method);
    if (found === undefined) {
      const server = serverOf(origin);
      const common: Attributes = { "http.request.method": method, "server.address": server.address, "server.port": server.port };
      if (urlTemplate !== undefined) common["url.template"] = urlTemplate;
      found = { common, metric: { ...common, "enable3.operation": operation }, measured: new Map() };
      byMethod.set(method, found);
    }
    return found;
  };
}

/** Whether a span belongs to a real trace (a no-op tracer's span outside any trace has the all-zero id). */
function hasTrace(span: OtelSpan): boolean {
  const traceId = span.spanContext?.().traceId;
  return traceId !== undefined && traceId !== INVALID_TRACE_ID;
}

const INVALID_TRACE_ID = "00000000000000000000000000000000";

/** The scheme and authority of a URL, without parsing it. */
function originOf(url: string): string {
  const start = url.indexOf("//") + 2;
  const end = url.slice(start).search(/[/?#]/);
  return end === -1 ? url : url.slice(0, start + end);
}

/** `server.address` and `server.port` of an origin (the port its scheme implies when none is written). */
function serverOf(origin: string): { address: string; port: number } {
  const parsed = new URL(origin);
  const port = parsed.port === "" ? (parsed.protocol === "https:" ? 443 : 80) : Number(parsed.port);
  return { address: parsed.hostname.replace(/^\[|\]$/g, ""), port };
}

// OpenTelemetry for every call: a span per SDK call and a child span per HTTP attempt, after the
// stable HTTP client conventions, and the request-duration histogram, retry and bulk counters. Only
// route templates, methods, hosts and statuses are recorded: never the key, a user id or a body,
// unless the operator opts in to the one attribute that holds a user id (`url.full`).
import type { Enable3Error } from "../errors/base.js";
import { optionKeys } from "../internal/option-keys.js";
import { checkKnownKeys, plainObject } from "../internal/validate.js";
import { PACKAGE_VERSION } from "../internal/version.js";
import type { AttemptOutcome, CallContext, CallScope } from "../transport/contract.js";
import { type CallAttributes, callAttributeCache } from "./call-attributes.js";
import type { MeteredOutboxStats, ReceiverDelivery } from "./component-metrics.js";
import type { ScopeSource } from "./observe.js";
import type { Attributes, OpenTelemetryApi, OtelContext, OtelCounter, OtelHistogram, OtelSpan, OtelTracer } from "./otel-api.js";
import { DURATION_BUCKETS, INSTRUMENTATION_NAME, SPAN_KIND_CLIENT, STATUS_ERROR } from "./otel-api.js";
import { linkedContext, queueLinkOf } from "./queue-trace.js";

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

const OPEN_TELEMETRY_OPTION_KEYS = optionKeys<OpenTelemetryOptions>()(["api", "propagateContext", "record"]);
const RECORD_OPTION_KEYS = optionKeys<NonNullable<OpenTelemetryOptions["record"]>>()(["urlFull"]);

/** openTelemetry()'s options, refused (Enable3ValidationError) when one is not an option, `record`'s included. */
export function checkOpenTelemetryOptions(options: OpenTelemetryOptions): OpenTelemetryOptions {
  const o = plainObject(options, "options") as OpenTelemetryOptions;
  checkKnownKeys(o, OPEN_TELEMETRY_OPTION_KEYS, "options");
  if (o.record !== undefined) checkKnownKeys(plainObject(o.record, "options.record"), RECORD_OPTION_KEYS, "options.record");
  return o;
}

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
  readonly outboxStats?: ((store: string, stats: () => MeteredOutboxStats) => () => void) | undefined;
  /** @internal the active span's W3C traceparent, kept with an outbox record at enqueue */
  readonly activeTraceparent?: (() => string | undefined) | undefined;
}

/** What every call's scope shares: the API, the instruments and the options. */
interface Instruments {
  api: OpenTelemetryApi;
  tracer: OtelTracer;
  duration: OtelHistogram;
  retries: OtelCounter;
  refusals: OtelCounter;
  propagate: boolean;
  recordUrl: boolean;
}

/** Spans and metrics for each call, on the given API. */
export function openTelemetrySignal(api: OpenTelemetryApi, options: OpenTelemetryOptions): ScopeSource {
  const tracer = api.trace.getTracer(INSTRUMENTATION_NAME, PACKAGE_VERSION);
  const meter = api.metrics.getMeter(INSTRUMENTATION_NAME, PACKAGE_VERSION);
  const instruments: Instruments = {
    api,
    tracer,
    duration: meter.createHistogram("http.client.request.duration", {
      unit: "s",
      description: "Duration of HTTP client requests (one per attempt).",
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    }),
    retries: meter.createCounter("enable3.client.retries", { description: "Attempts the SDK made again." }),
    refusals: meter.createCounter("enable3.client.retry_refusals", {
      description: "Retries the SDK did not make: the retry budget was short, or the server asked for a longer wait than allowed.",
    }),
    propagate: options.propagateContext !== false,
    recordUrl: options.record?.urlFull === true,
  };
  const bulkItems = meter.createCounter("enable3.bulk.items", { description: "Items of bulk runs, by how they settled." });
  const attributesOf = callAttributeCache();
  // the API's singletons, read once: `api.context` on a CommonJS copy is a getter per read
  const { context, trace } = api;

  return {
    bulkItemSettled(operation, outcome) {
      bulkItems.add(1, { "enable3.operation": operation, "enable3.outcome": outcome });
    },
    call(ctx, request) {
      const call = attributesOf(ctx.operation, request.method, request.url);
      const parent = context.active();
      // a call delivering an outbox record links to the span that enqueued it (queue-trace.ts)
      const link = linkedContext(queueLinkOf(ctx.idempotencyKey) ?? "");
      const options = link ? { ...call.spanOptions, links: [{ context: link }] } : call.spanOptions;
      const span = tracer.startSpan(call.spanName, options, parent);
      // With no tracer provider (or a sampler that drops the call) the call span records nothing:
      // its attempts would not either, so none are made, and a context is sent on only when the
      // caller's trace is real (a non-recording span still carries its ids, so Enable3 joins it).
      const recording = span.isRecording();
      const spanContext = recording || hasTrace(span) ? trace.setSpan(parent, span) : undefined;
      return new CallSpans(instruments, ctx, request.url, call, span, recording, spanContext);
    },
  };
}

/** One call's spans and measurements: one object per call (its steps are methods, not closures). */
class CallSpans implements CallScope {
  private attemptSpan: OtelSpan | undefined;
  private attemptStartedAt = 0;
  private lastStatus: number | undefined;

  constructor(
    private readonly instruments: Instruments,
    private readonly ctx: CallContext,
    private readonly url: string,
    private readonly call: CallAttributes,
    private readonly span: OtelSpan,
    private readonly recording: boolean,
    /** the call span's context, when it records or belongs to a real trace */
    private readonly context: OtelContext | undefined,
  ) {}

  attemptStarted(attempt: number): Record<string, string> | undefined {
    this.attemptStartedAt = performance.now();
    const { context } = this;
    if (context === undefined) return undefined;
    if (this.recording) {
      const { tracer } = this.instruments;
      const attributes: Attributes = { ...this.call.common };
      if (attempt > 1) attributes["http.request.resend_count"] = attempt - 1;
      if (this.instruments.recordUrl) attributes["url.full"] = this.url;
      this.attemptSpan = tracer.startSpan(this.call.attemptSpanName, { kind: SPAN_KIND_CLIENT, attributes }, context);
    }
    if (!this.instruments.propagate) return undefined;
    return traceContextHeaders(this.attemptSpan ?? this.span);
  }

  attemptEnded(_attempt: number, outcome: AttemptOutcome): void {
    const errorType = errorTypeOf(outcome);
    const status = outcome.response?.status;
    this.lastStatus = status;
    const span = this.attemptSpan;
    if (span?.isRecording()) {
      if (status !== undefined) span.setAttribute("http.response.status_code", status);
      if (errorType !== undefined) {
        span.setAttribute("error.type", errorType);
        span.setStatus({ code: STATUS_ERROR });
      }
    }
    span?.end();
    this.attemptSpan = undefined;
    const key = status ?? outcome.failure?.kind ?? "";
    const { measured, metric } = this.call;
    let attributes = measured.get(key);
    if (attributes === undefined) {
      attributes = { ...metric, "enable3.status_class": statusClassOf(outcome) };
      if (status !== undefined) attributes["http.response.status_code"] = status;
      if (errorType !== undefined) attributes["error.type"] = errorType;
      measured.set(key, attributes);
    }
    this.instruments.duration.record((performance.now() - this.attemptStartedAt) / 1000, attributes);
  }

  retryScheduled(_attempt: number, _waitMs: number, outcome: AttemptOutcome): void {
    const attributes: Attributes = { ...this.call.metric };
    const errorType = errorTypeOf(outcome);
    if (errorType !== undefined) attributes["error.type"] = errorType;
    this.instruments.retries.add(1, attributes);
  }

  retryRefused(reason: "budget" | "retry-after"): void {
    this.instruments.refusals.add(1, { ...this.call.metric, "enable3.reason": reason });
  }

  ended(result: { status?: number | undefined; error?: Enable3Error | undefined }): void {
    const { span } = this;
    // the caller's abort is the caller's choice, not a failure of the call
    const failed = result.error
      ? result.error.code !== "aborted" && result.error.code !== "not_sent"
      : (result.status ?? this.lastStatus ?? 0) >= 400;
    if (span.isRecording()) {
      span.setAttribute("enable3.attempts", this.ctx.attempts);
      if (failed) {
        span.setAttribute("error.type", result.error?.code ?? String(result.status ?? this.lastStatus));
        span.setStatus({ code: STATUS_ERROR, message: result.error?.name });
      }
    }
    span.end();
  }
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

/**
 * W3C `traceparent` and `tracestate` of a span, written as W3CTraceContextPropagator writes them; nothing
 * else. The app's global propagator is not used: it may carry baggage (user ids, emails, tenant names)
 * that is the app's own business, and Enable3 has no use for it.
 */
function traceContextHeaders(span: OtelSpan): Record<string, string> | undefined {
  const ids = span.spanContext?.();
  if (!ids || !TRACE_ID.test(ids.traceId) || !SPAN_ID.test(ids.spanId ?? "")) return undefined;
  const flags = (ids.traceFlags ?? 0) & 0xff;
  const headers: Record<string, string> = { traceparent: `00-${ids.traceId}-${ids.spanId}-${flags.toString(16).padStart(2, "0")}` };
  const state = ids.traceState?.serialize();
  if (state) headers.tracestate = state;
  return headers;
}

const TRACE_ID = /^(?!0{32})[0-9a-f]{32}$/i;
const SPAN_ID = /^(?!0{16})[0-9a-f]{16}$/i;

/** Whether a span belongs to a real trace (a no-op tracer's span outside any trace has the all-zero id). */
function hasTrace(span: OtelSpan): boolean {
  const traceId = span.spanContext?.().traceId;
  return traceId !== undefined && traceId !== INVALID_TRACE_ID;
}

const INVALID_TRACE_ID = "00000000000000000000000000000000";

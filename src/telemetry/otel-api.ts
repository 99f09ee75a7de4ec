// The slice of @opentelemetry/api the SDK uses, as plain interfaces: the operator's own copy of the
// API (any 1.x) fits them as it is, so the package is an optional peer the core never imports, and no
// public type of the SDK names it.

/** An attribute value, as OpenTelemetry takes it. */
export type AttributeValue = string | number | boolean;
/** Attributes of a span or a measurement. */
export type Attributes = Record<string, AttributeValue | undefined>;

/** An opaque OpenTelemetry context. */
export type OtelContext = object;

/** The span the SDK writes: its attributes, status and end. */
export interface OtelSpan {
  setAttribute(key: string, value: AttributeValue): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  isRecording(): boolean;
  /** The span's ids, flags and trace state (optional here so a minimal test double fits): what traceparent and tracestate carry. */
  spanContext?(): { traceId: string; spanId?: string; traceFlags?: number; traceState?: { serialize(): string } | undefined };
  end(): void;
}

/** Makes spans. */
export interface OtelTracer {
  startSpan(name: string, options?: { kind?: number; attributes?: Attributes; links?: OtelLink[] }, context?: OtelContext): OtelSpan;
}

/** A link from a span to another span's context (the enqueuing span of an outbox record). */
export interface OtelLink {
  context: { traceId: string; spanId: string; traceFlags: number; isRemote?: boolean };
}

/** A histogram: takes a measurement with attributes. */
export interface OtelHistogram {
  record(value: number, attributes?: Attributes): void;
}

/** A counter: adds to a sum with attributes. */
export interface OtelCounter {
  add(value: number, attributes?: Attributes): void;
}

/** Makes instruments. */
export interface OtelMeter {
  createHistogram(
    name: string,
    options?: { unit?: string; description?: string; advice?: { explicitBucketBoundaries?: number[] } },
  ): OtelHistogram;
  createCounter(name: string, options?: { unit?: string; description?: string }): OtelCounter;
  createObservableGauge(name: string, options?: { unit?: string; description?: string }): OtelObservable;
  createObservableCounter(name: string, options?: { unit?: string; description?: string }): OtelObservable;
}

/** An instrument read when the app's metric reader collects. */
export interface OtelObservable {
  addCallback(callback: (result: { observe(value: number, attributes?: Attributes): void }) => void): void;
  removeCallback(callback: (result: { observe(value: number, attributes?: Attributes): void }) => void): void;
}

/** What the SDK reads of `@opentelemetry/api`: `import * as api from "@opentelemetry/api"` fits it. */
export interface OpenTelemetryApi {
  trace: {
    getTracer(name: string, version?: string): OtelTracer;
    setSpan(context: OtelContext, span: OtelSpan): OtelContext;
    /** The span in a context (the API has it since 1.0; optional so that a minimal test double fits). */
    getSpan?(context: OtelContext): OtelSpan | undefined;
  };
  context: { active(): OtelContext };
  metrics: { getMeter(name: string, version?: string): OtelMeter };
}

/** SpanKind.INTERNAL and SpanKind.CLIENT, SpanStatusCode.ERROR: fixed numbers in the API. */
export const SPAN_KIND_INTERNAL = 0;
export const SPAN_KIND_CLIENT = 2;
export const STATUS_ERROR = 2;

/** The instrumentation scope's name. */
export const INSTRUMENTATION_NAME = "enable3-client";
/** The buckets the HTTP conventions advise for http.client.request.duration, in seconds. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

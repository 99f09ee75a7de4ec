// The real OpenTelemetry SDK for a test, kept to the test: tracer and meter providers of its own and
// an AsyncLocalStorage context manager, handed to the client as its `api` (nothing
// is registered globally, so tests in one worker never see each other's spans).
import * as api from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { type DataPoint, MeterProvider, MetricReader, type ResourceMetrics } from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  type Sampler,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import type { OpenTelemetryApi } from "../../src/telemetry/otel-api.js";
import { registerTeardown } from "./teardown.js";

/** A reader the test collects from when it wants. */
class TestMetricReader extends MetricReader {
  protected async onForceFlush() {}
  protected async onShutdown() {}
}

export interface TestTelemetry {
  api: OpenTelemetryApi;
  /** Every span ended so far. */
  spans(): ReadableSpan[];
  /** The data points of one metric, collected now. */
  points(metric: string): Promise<DataPoint<unknown>[]>;
  /** The instrumentation scopes of the metrics collected now. */
  scopes(): Promise<unknown[]>;
  /** Everything exported (spans and metrics), as text: for "no secret anywhere" checks. */
  exported(): Promise<string>;
  /** Runs `fn` inside an active span of the app's own, as a request handler would. */
  inAppSpan<T>(fn: () => Promise<T>): Promise<{ result: T; traceId: string; spanId: string }>;
}

/** `sampler`: the tracer provider's (the SDK's default, sampling everything, when not given). */
export function testTelemetry(options: { sampler?: Sampler } = {}): TestTelemetry {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    ...(options.sampler ? { sampler: options.sampler } : {}),
  });
  const reader = new TestMetricReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  registerTeardown(async () => {
    contextManager.disable();
    await tracerProvider.shutdown();
    await meterProvider.shutdown();
  });
  const telemetryApi: OpenTelemetryApi = {
    trace: {
      getTracer: (name, version) => tracerProvider.getTracer(name, version),
      setSpan: (ctx, span) => api.trace.setSpan(ctx as api.Context, span as api.Span),
    },
    context: { active: () => contextManager.active() },
    metrics: { getMeter: (name, version) => meterProvider.getMeter(name, version) },
  };
  const collect = async (): Promise<ResourceMetrics> => (await reader.collect()).resourceMetrics;
  return {
    api: telemetryApi,
    spans: () => exporter.getFinishedSpans(),
    async points(metric) {
      const found = (await collect()).scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === metric);
      return (found?.dataPoints ?? []) as DataPoint<unknown>[];
    },
    async scopes() {
      return (await collect()).scopeMetrics.map((s) => s.scope);
    },
    async exported() {
      const spans = exporter
        .getFinishedSpans()
        .map((s) => ({ name: s.name, attributes: s.attributes, status: s.status, events: s.events }));
      return JSON.stringify({ spans, metrics: await collect() });
    },
    async inAppSpan(fn) {
      const span = tracerProvider.getTracer("app").startSpan("app request");
      try {
        const result = await contextManager.with(api.trace.setSpan(api.ROOT_CONTEXT, span), fn);
        return { result, traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
      } finally {
        span.end();
      }
    },
  };
}

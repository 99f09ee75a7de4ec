// OpenTelemetry with the real SDK, on both transports: a span per call and one per attempt after the
// HTTP client conventions, the duration histogram and retry counters, traceparent sent to Enable3, a
// caller's abort not counted as an error, and no secret or user id anywhere in what is exported.
import { readFileSync } from "node:fs";
import * as api from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { CompositePropagator, TraceState, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { AlwaysOffSampler, BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { Enable3AbortError, Enable3TimeoutError } from "../../src/index.js";
import { openTelemetry } from "../../src/opentelemetry.js";
import { clientFor, TEST_KEY } from "../helpers/client.js";
import { BALANCE } from "../helpers/faults.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { testTelemetry } from "../helpers/opentelemetry.js";

const SPAN_OK = 0;
const SPAN_ERROR = 2;
const byName = (spans: { name: string }[]) => spans.map((s) => s.name);

describe("spans", () => {
  it("a success: one call span, one attempt span after the HTTP conventions, the route template not the user id", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 200, BALANCE));
    const telemetry = testTelemetry();
    const enable3 = clientFor(server.url, { telemetry: openTelemetry({ api: telemetry.api }) });
    await enable3.getUserBalance("player-42");
    const [attempt, call] = telemetry.spans();
    expect(byName(telemetry.spans())).toEqual(["GET /api/v1/integration/user/{operatorUserId}/balance", "enable3.getUserBalance"]);
    expect(attempt!.kind).toBe(2); // CLIENT
    expect(attempt!.parentSpanContext?.spanId).toBe(call!.spanContext().spanId);
    const { port, hostname } = new URL(server.url);
    expect(attempt!.attributes).toEqual({
      "http.request.method": "GET",
      "server.address": hostname,
      "server.port": Number(port),
      "url.template": "/api/v1/integration/user/{operatorUserId}/balance",
      "http.response.status_code": 200,
    });
    expect(attempt!.status.code).toBe(SPAN_OK);
    expect(call!.attributes).toEqual({ "enable3.operation": "getUserBalance", "enable3.attempts": 1 });
    expect(await telemetry.exported()).not.toContain("player-42");
  });

  it("a retried 503: two attempt spans, the second with its resend count, and the retry counted", async () => {
    const server = await startScriptedServer((_req, res) => (server.requests.length === 1 ? reply(res, 503) : reply(res, 201)));
    const telemetry = testTelemetry();
    const enable3 = clientFor(server.url, { telemetry: openTelemetry({ api: telemetry.api }), maxRetries: 2, initialDelayMs: 1 });
    await enable3.sendEvent({ userId: "player-42", eventId: "deposit", value: 5 });
    const [first, second, call] = telemetry.spans();
    expect(byName([first!, second!])).toEqual(["POST /api/v1/event", "POST /api/v1/event"]);
    expect(first!.attributes).toMatchObject({ "http.response.status_code": 503, "error.type": "503" });
    expect(first!.status.code).toBe(SPAN_ERROR);
    expect(second!.attributes).toMatchObject({ "http.response.status_code": 201, "http.request.resend_count": 1 });
    expect(second!.attributes["error.type"]).toBeUndefined();
    expect(call!.attributes).toMatchObject({ "enable3.attempts": 2 });
    expect(call!.status.code).toBe(SPAN_OK);
    const retries = await telemetry.points("enable3.client.retries");
    expect(retries.map((p) => [p.attributes["enable3.operation"], p.attributes["error.type"], p.value])).toEqual([["sendEvent", "503", 1]]);
    const durations = await telemetry.points("http.client.request.duration");
    const classes = durations.map((p) => [p.attributes["enable3.status_class"], (p.value as { count: number }).count]).sort();
    expect(classes).toEqual([
      ["2xx", 1],
      ["5xx", 1],
    ]);
  });

  it("a timeout: the attempt and the call end in error, with error.type timeout", async () => {
    const server = await startScriptedServer(() => {}); // never answers
    const telemetry = testTelemetry();
    const enable3 = clientFor(server.url, { telemetry: openTelemetry({ api: telemetry.api }), timeoutMs: 50 });
    await expect(enable3.getUserBalance("u1")).rejects.toBeInstanceOf(Enable3TimeoutError);
    const [attempt, call] = telemetry.spans();
    expect(attempt!.attributes["error.type"]).toBe("timeout");
    expect(attempt!.status.code).toBe(SPAN_ERROR);
    expect(call!.attributes["error.type"]).toBe("timeout");
    expect(call!.status.code).toBe(SPAN_ERROR);
  });

  it("the caller's abort is not an error", async () => {
    const server = await startScriptedServer(() => {});
    const telemetry = testTelemetry();
    const enable3 = clientFor(server.url, { telemetry: openTelemetry({ api: telemetry.api }) });
    const controller = new AbortController();
    const call = enable3.getUserBalance("u1", { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    await expect(call).rejects.toBeInstanceOf(Enable3AbortError);
    for (const span of telemetry.spans()) {
      expect(span.status.code).toBe(SPAN_OK);
      expect(span.attributes["error.type"]).toBeUndefined();
    }
    expect(byName(telemetry.spans())).toEqual(["GET /api/v1/integration/user/{operatorUserId}/balance", "enable3.getUserBalance"]);
  });

  it("a bulk run: a call span per item and the items counted by how they settled", async () => {
    const server = await startScriptedServer((req, res) =>
      JSON.parse(req.body).value === 2 ? reply(res, 400, { message: "no" }) : reply(res, 201),
    );
    const telemetry = testTelemetry();
    const enable3 = clientFor(server.url, { telemetry: openTelemetry({ api: telemetry.api }) });
    const events = [1, 2, 3].map((value) => ({ userId: "u", eventId: "deposit", value }));
    await enable3.sendEvents([...events, { userId: " ", eventId: "deposit", value: 4 }], { concurrency: 2 });
    expect(telemetry.spans().filter((s) => s.name === "enable3.sendEvent")).toHaveLength(3);
    const items = await telemetry.points("enable3.bulk.items");
    expect(Object.fromEntries(items.map((p) => [p.attributes["enable3.outcome"], p.value]))).toEqual({ delivered: 2, failed: 2 });
  });
});

describe("instrumentation scope", () => {
  it("spans and metrics name the SDK and its version (package.json's)", async () => {
    const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    const server = await startScriptedServer((_req, res) => reply(res, 200, BALANCE));
    const telemetry = testTelemetry();
    await clientFor(server.url, { telemetry: openTelemetry({ api: telemetry.api }) }).getUserBalance("u1");
    const scopes = telemetry.spans().map((s) => s.instrumentationScope);
    expect(scopes).toEqual([
      { name: "enable3-client", version, schemaUrl: undefined },
      { name: "enable3-client", version, schemaUrl: undefined },
    ]);
    expect(await telemetry.scopes()).toContainEqual({ name: "enable3-client", version, schemaUrl: undefined });
  });
});

describe("context propagation", () => {
  it("inside the app's span, each attempt carries a traceparent of the same trace, whose parent is that attempt's span", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 200, BALANCE));
    const telemetry = testTelemetry();
    const enable3 = clientFor(server.url, { telemetry: openTelemetry({ api: telemetry.api }) });
    const { traceId } = await telemetry.inAppSpan(() => enable3.getUserBalance("u1"));
    const traceparent = server.requests[0]!.headers.traceparent as string;
    const attempt = telemetry.spans().find((s) => s.name.startsWith("GET"))!;
    expect(traceparent).toBe(`00-${traceId}-${attempt.spanContext().spanId}-01`);
    const call = telemetry.spans().find((s) => s.name === "enable3.getUserBalance")!;
    expect(call.spanContext().traceId).toBe(traceId);
  });

  it("propagateContext: false sends no traceparent", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 200, BALANCE));
    const telemetry = testTelemetry();
    const enable3 = clientFor(server.url, { telemetry: openTelemetry({ api: telemetry.api, propagateContext: false }) });
    await telemetry.inAppSpan(() => enable3.getUserBalance("u1"));
    expect(server.requests[0]!.headers.traceparent).toBeUndefined();
  });

  it("a sampler that drops the call: no spans, the durations still measured, and a traceparent that says not sampled", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 200, BALANCE));
    const telemetry = testTelemetry({ sampler: new AlwaysOffSampler() });
    const enable3 = clientFor(server.url, { telemetry: openTelemetry({ api: telemetry.api }) });
    await enable3.getUserBalance("u1");
    expect(telemetry.spans()).toEqual([]);
    expect(server.requests[0]!.headers.traceparent).toMatch(/^00-(?!0{32})[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    const durations = await telemetry.points("http.client.request.duration");
    expect(durations.map((p) => p.attributes["http.response.status_code"])).toEqual([200]);
  });

  it("no tracer provider: no traceparent of its own, but the caller's incoming trace is passed on as it came", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 200, BALANCE));
    let active: api.Context = api.ROOT_CONTEXT;
    const noProvider = {
      trace: api.trace, // nothing registered: the API's no-op tracer
      context: { active: () => active },
      metrics: api.metrics,
    };
    const enable3 = clientFor(server.url, { telemetry: openTelemetry({ api: noProvider }) });
    await enable3.getUserBalance("u1");
    expect(server.requests[0]!.headers.traceparent).toBeUndefined();
    const incoming = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: 1 };
    active = api.trace.setSpanContext(api.ROOT_CONTEXT, incoming);
    await enable3.getUserBalance("u1");
    expect(server.requests[1]!.headers.traceparent).toBe(`00-${incoming.traceId}-${incoming.spanId}-01`);
  });

  it("the app's registered baggage propagator sends nothing to Enable3: only traceparent and tracestate go", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 200, BALANCE));
    // the app's own global set-up, as a real app registers it
    const contextManager = new AsyncLocalStorageContextManager().enable();
    const provider = new BasicTracerProvider();
    api.context.setGlobalContextManager(contextManager);
    api.trace.setGlobalTracerProvider(provider);
    api.propagation.setGlobalPropagator(
      new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
    );
    try {
      const enable3 = clientFor(server.url, { telemetry: openTelemetry() });
      const span = provider.getTracer("app").startSpan("app request");
      const traceState = new TraceState("vendor=abc");
      const parent = api.trace.setSpanContext(api.ROOT_CONTEXT, { ...span.spanContext(), traceState });
      const withBaggage = api.propagation.setBaggage(parent, api.propagation.createBaggage({ "user.email": { value: "a@b.example" } }));
      await api.context.with(withBaggage, () => enable3.getUserBalance("u1"));
      span.end();
      const headers = server.requests[0]!.headers;
      expect(headers.baggage).toBeUndefined();
      expect(headers.traceparent).toMatch(new RegExp(`^00-${span.spanContext().traceId}-(?!0{16})[0-9a-f]{16}-01$`));
      expect(headers.tracestate).toBe("vendor=abc");
    } finally {
      api.propagation.disable();
      api.trace.disable();
      api.context.disable();
      await provider.shutdown();
    }
  });

  it("telemetry: false records nothing and sends no traceparent", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 200, BALANCE));
    const telemetry = testTelemetry();
    const enable3 = clientFor(server.url, { telemetry: false });
    await telemetry.inAppSpan(() => enable3.getUserBalance("u1"));
    expect(byName(telemetry.spans())).toEqual(["app request"]);
    expect(server.requests[0]!.headers.traceparent).toBeUndefined();
  });
});

describe("secrets", () => {
  it("no key, user id or body in any exported span or metric; url.full only on opt-in", async () => {
    const server = await startScriptedServer((req, res) =>
      req.url.includes("balance") ? reply(res, 401, { message: `bad key ${TEST_KEY}` }) : reply(res, 201),
    );
    const telemetry = testTelemetry();
    const enable3 = clientFor(server.url, { telemetry: openTelemetry({ api: telemetry.api }) });
    await enable3.sendEvent({ userId: "secret-user-77", eventId: "deposit-body-marker", value: 5 });
    await enable3.getUserBalance("secret-user-77").catch(() => {});
    const exported = await telemetry.exported();
    for (const secret of [TEST_KEY, "secret-user-77", "deposit-body-marker"]) expect(exported).not.toContain(secret);
    const optedIn = testTelemetry();
    await clientFor(server.url, { telemetry: openTelemetry({ api: optedIn.api, record: { urlFull: true } }) }).sendEvent({
      userId: "u",
      eventId: "e",
      value: 1,
    });
    expect(optedIn.spans()[0]!.attributes["url.full"]).toBe(`${server.url}/api/v1/event`);
  });
});

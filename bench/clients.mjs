// The per-call clients the benchmark compares, each making the same GET (balance) or POST (event) to
// the same server. Every client is built once, outside the timed loops.
import http from "node:http";
import path from "node:path";
import axios from "axios";
import ky from "ky";
import OpenAI from "openai";
import createClient from "openapi-fetch";
import { createEnable3Client as onFetch } from "../dist/index.js";
import { createEnable3Client as onNode } from "../dist/index.node.js";

const headers = { "X-API-KEY": "bench-key" };
const balancePath = "/api/v1/integration/user/player-42/balance";
export const eventBody = (i) => ({ id: `evt-${i}`, userId: `u${i % 100}`, eventId: "deposit", value: i, createdAt: "2024-02-22 10:00:00" });

/** node:http with a keep-alive Agent, reading the whole body: the floor any client on node:http builds on. */
function rawNodeHttp(baseUrl) {
  const agent = new http.Agent({ keepAlive: true });
  const { hostname, port } = new URL(baseUrl);
  const send = (method, path, body) =>
    new Promise((resolve, reject) => {
      const req = http.request(
        {
          hostname,
          port,
          path,
          method,
          agent,
          headers: body ? { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) } : headers,
        },
        (res) => {
          const chunks = [];
          res.on("data", (c) => chunks.push(c));
          res.on("end", () => resolve(Buffer.concat(chunks).toString()));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  return { get: () => send("GET", balancePath).then(JSON.parse), post: (i) => send("POST", "/api/v1/event", JSON.stringify(eventBody(i))) };
}

/** The same options the SDK's fetch transport passes: a timeout signal per call, no redirects followed. */
async function fetchWithSdkOptions(url, init) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 30_000);
  try {
    const response = await fetch(url, { ...init, redirect: "manual", window: null, signal: controller.signal });
    return await response.text();
  } finally {
    clearTimeout(timer);
  }
}

/** undici.request on its own Pool: never the global dispatcher, which would change the process's fetch. */
async function rawUndici(baseUrl) {
  const { Pool, request } = await import("undici");
  const dispatcher = new Pool(baseUrl, { connections: 256 });
  const read = async (r) => r.body.text();
  return {
    get: async () => JSON.parse(await read(await request(`${baseUrl}${balancePath}`, { headers, dispatcher }))),
    post: async (i) =>
      read(
        await request(`${baseUrl}/api/v1/event`, {
          method: "POST",
          headers: { ...headers, "content-type": "application/json" },
          body: JSON.stringify(eventBody(i)),
          dispatcher,
        }),
      ),
  };
}

/**
 * OpenTelemetry with a recording provider, of its own (never the global one: the other rows must not
 * record): spans to a batching processor whose exporter drops them, metrics to a reader nobody collects.
 */
async function recordingOpenTelemetry() {
  const api = await import("@opentelemetry/api");
  const { BasicTracerProvider, BatchSpanProcessor } = await import("@opentelemetry/sdk-trace-base");
  const { MeterProvider } = await import("@opentelemetry/sdk-metrics");
  const { openTelemetry } = await import("../dist/opentelemetry.js");
  const drop = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(drop)] });
  const meterProvider = new MeterProvider();
  return openTelemetry({
    api: {
      ...api,
      trace: { ...api.trace, getTracer: (name, version) => tracerProvider.getTracer(name, version), setSpan: api.trace.setSpan },
      metrics: { getMeter: (name, version) => meterProvider.getMeter(name, version) },
    },
  });
}

/** name -> { get(), post(i) } for the server at baseUrl. */
export async function perCallClients(baseUrl) {
  const post = (i) => ({ method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(eventBody(i)) });
  // telemetry: false is a client's path where @opentelemetry/api is not installed (this project has it)
  const sdkOnFetch = onFetch({ apiKey: "bench-key", baseUrl, telemetry: false });
  const sdkOnNode = onNode({ apiKey: "bench-key", baseUrl, telemetry: false });
  // the installed API with no provider registered: what a Node client does on its own when it finds one
  const sdkNoopOtel = onNode({ apiKey: "bench-key", baseUrl });
  const sdkRecordingOtel = onNode({ apiKey: "bench-key", baseUrl, telemetry: await recordingOpenTelemetry() });
  const openapi = createClient({ baseUrl, headers });
  const ax = axios.create({ baseURL: baseUrl, headers });
  const kyClient = ky.create({ prefixUrl: baseUrl, headers, retry: 0 });
  const openai = new OpenAI({ apiKey: "bench-key", baseURL: baseUrl, defaultHeaders: headers });
  // BENCH_BASELINE: another build's dist/ (e.g. main's), its Node transport measured in the same rounds
  const baseline = process.env.BENCH_BASELINE
    ? (await import(path.join(path.resolve(process.env.BENCH_BASELINE), "index.node.js"))).createEnable3Client({
        apiKey: "bench-key",
        baseUrl,
        telemetry: false,
      })
    : undefined;
  const baselineRows = baseline
    ? {
        "baseline build, Node transport": {
          get: () => baseline.getUserBalance("player-42"),
          post: (i) => baseline.sendEvent(eventBody(i)),
        },
        "baseline build, Node transport, .withResponse()": {
          get: () => baseline.getUserBalance("player-42").withResponse(),
          post: (i) => baseline.sendEvent(eventBody(i)).withResponse(),
        },
      }
    : {};
  return {
    ...baselineRows,
    "raw fetch": {
      get: async () => (await fetch(`${baseUrl}${balancePath}`, { headers })).json(),
      post: async (i) => (await fetch(`${baseUrl}/api/v1/event`, post(i))).text(),
    },
    "raw fetch, SDK's options": {
      get: async () => JSON.parse(await fetchWithSdkOptions(`${baseUrl}${balancePath}`, { headers })),
      post: (i) => fetchWithSdkOptions(`${baseUrl}/api/v1/event`, post(i)),
    },
    "raw node:http": rawNodeHttp(baseUrl),
    "raw undici.request": await rawUndici(baseUrl),
    "bare openapi-fetch": {
      get: () => openapi.GET("/api/v1/integration/user/{operatorUserId}/balance", { params: { path: { operatorUserId: "player-42" } } }),
      post: (i) => openapi.POST("/api/v1/event", { body: eventBody(i) }),
    },
    "enable3-client, fetch transport": {
      get: () => sdkOnFetch.getUserBalance("player-42"),
      post: (i) => sdkOnFetch.sendEvent(eventBody(i)),
    },
    "enable3-client, Node transport": { get: () => sdkOnNode.getUserBalance("player-42"), post: (i) => sdkOnNode.sendEvent(eventBody(i)) },
    // the same calls asking what the response said: the method's promise subclass and the info it builds
    "enable3-client, Node transport, .withResponse()": {
      get: () => sdkOnNode.getUserBalance("player-42").withResponse(),
      post: (i) => sdkOnNode.sendEvent(eventBody(i)).withResponse(),
    },
    "enable3-client, Node transport, OpenTelemetry no-op": {
      get: () => sdkNoopOtel.getUserBalance("player-42"),
      post: (i) => sdkNoopOtel.sendEvent(eventBody(i)),
    },
    "enable3-client, Node transport, OpenTelemetry recording": {
      get: () => sdkRecordingOtel.getUserBalance("player-42"),
      post: (i) => sdkRecordingOtel.sendEvent(eventBody(i)),
    },
    "openai (Stainless)": { get: () => openai.get(balancePath), post: (i) => openai.post("/api/v1/event", { body: eventBody(i) }) },
    ky: { get: () => kyClient.get(balancePath.slice(1)).json(), post: (i) => kyClient.post("api/v1/event", { json: eventBody(i) }).text() },
    axios: { get: () => ax.get(balancePath), post: (i) => ax.post("/api/v1/event", eventBody(i)) },
  };
}

export { onFetch, onNode };

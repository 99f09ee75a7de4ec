// The bulk senders the benchmark compares, each sending the same events (POST /api/v1/event) with the
// same concurrency: the raw node:http pool (the floor any client on node:http builds on), sendEvents on
// each transport, the outbox, and a raw fetch pool. Each takes (events, concurrency) and resolves when
// every event was answered. Built once per server, outside the timed runs.
import http from "node:http";
import path from "node:path";
import { eventBody, onFetch, onNode } from "./clients.mjs";

/**
 * The outbox's row: another engineer's work, absent on branches without it. To fill it, export from
 * bench/outbox.mjs `createOutboxSender(baseUrl)` resolving to `(events, concurrency) => Promise<void>`
 * (events committed to the outbox and delivered); the tables then show it beside sendEvents.
 */
async function outboxSender(baseUrl, dist) {
  const module = await import("./outbox.mjs").catch(() => undefined);
  return module?.createOutboxSender ? module.createOutboxSender(baseUrl, dist) : undefined;
}

/** `concurrency` loops, each sending the next event as soon as its last one was answered. */
export async function pool(concurrency, n, send) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await send(next++);
    }),
  );
}

/** node:http with a keep-alive Agent, reading each whole answer: what an SDK on node:http cannot beat. */
function rawNodeHttpPool(baseUrl) {
  const agent = new http.Agent({ keepAlive: true });
  const { hostname, port } = new URL(baseUrl);
  const post = (event) =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify(event);
      const req = http.request(
        {
          hostname,
          port,
          path: "/api/v1/event",
          method: "POST",
          agent,
          headers: { "X-API-KEY": "bench-key", "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          res.on("data", () => {});
          res.on("end", () => (res.statusCode < 300 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  return { send: (events, concurrency) => pool(concurrency, events.length, (i) => post(events[i])), close: () => agent.destroy() };
}

function rawFetchPool(baseUrl) {
  const post = async (event) => {
    const res = await fetch(`${baseUrl}/api/v1/event`, {
      method: "POST",
      headers: { "X-API-KEY": "bench-key", "content-type": "application/json" },
      body: JSON.stringify(event),
    });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  };
  return { send: (events, concurrency) => pool(concurrency, events.length, (i) => post(events[i])), close() {} };
}

function sdkSender(client) {
  return {
    async send(events, concurrency) {
      const report = await client.sendEvents(events, { concurrency, collectDelivered: false });
      if (report.failedCount) throw new Error(`${report.failedCount} events failed: ${report.failed[0]?.error.message}`);
    },
    close: () => client.close(),
  };
}

/** name -> { send(events, concurrency), close() }; the outbox's is undefined where it does not exist. */
export async function bulkSenders(baseUrl, { fetchTransport = true, fetchPool = true } = {}) {
  const senders = {
    "raw node:http pool": rawNodeHttpPool(baseUrl),
    "sendEvents, Node transport": sdkSender(onNode({ apiKey: "bench-key", baseUrl, telemetry: false })),
  };
  if (fetchTransport) senders["sendEvents, fetch transport"] = sdkSender(onFetch({ apiKey: "bench-key", baseUrl, telemetry: false }));
  senders.outbox = await outboxSender(baseUrl);
  // BENCH_BASELINE: another build's dist/ (e.g. main's): its sendEvents and outbox in the same rounds
  if (process.env.BENCH_BASELINE) {
    const dist = path.resolve(process.env.BENCH_BASELINE);
    const { createEnable3Client } = await import(path.join(dist, "index.node.js"));
    senders["baseline build, sendEvents"] = sdkSender(createEnable3Client({ apiKey: "bench-key", baseUrl, telemetry: false }));
    senders["baseline build, outbox"] = await outboxSender(baseUrl, dist);
  }
  if (fetchPool) senders["raw fetch pool"] = rawFetchPool(baseUrl);
  return senders;
}

/** `n` events, each new (ids differ), as an operator's backfill would send them. */
export const bulkEvents = (n, offset = 0) => Array.from({ length: n }, (_, i) => eventBody(offset + i));

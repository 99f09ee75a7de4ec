#!/usr/bin/env node
// npm run bench: the SDK on both transports, side by side with what an operator would otherwise use,
// in one run against servers in processes of their own. Writes docs/benchmarks.md (BENCH_OUT: elsewhere).
// `npm run bench -- --profile` only profiles the bulk path (the SDK beside the raw node:http pool) and
// prints the top frames, grouped node:http / openapi-fetch / SDK / GC.
// Every comparison is a ratio taken within a round (the clients take turns), then the median over
// rounds: a noisy neighbour on a 2-core machine moves all clients of a round alike.
import { fork, spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { measure } from "../scripts/size.mjs";
import { bulkRows, measureBulk } from "./bulk.mjs";
import { bulkEvents, bulkSenders } from "./bulk-clients.mjs";
import { eventBody, perCallClients } from "./clients.mjs";
import { measureLatency } from "./latency.mjs";
import { measureOrderedClaim } from "./ordered-claim.mjs";
import { measureOutbox } from "./outbox.mjs";
import { measureOrdered, orderedRows } from "./outbox-ordered.mjs";
import { formatSummary, heldBack, profile, splitRows, summarise } from "./profile.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const knob = (name, fallback) => Number(process.env[`BENCH_${name}`] ?? fallback);
const ROUNDS = knob("ROUNDS", 20);
const CALLS = knob("CALLS", 300);
const WARMUP = knob("WARMUP", 300);
const BULK_EVENTS = knob("BULK_EVENTS", 20_000);
const BULK_SECONDS = knob("BULK_SECONDS", 1.5);
const BULK_ROUNDS = knob("BULK_ROUNDS", 3);
const PROFILE_EVENTS = knob("PROFILE_EVENTS", 30_000);
const COLD_RUNS = knob("COLD_RUNS", 15);
const CLI_LINES = knob("CLI_LINES", 100_000);
const OTEL_ROUNDS = knob("OTEL_ROUNDS", 10); // processes of each kind (bench/otel-noop.mjs)
const OTEL_CALLS = knob("OTEL_CALLS", 1000);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function startServer(latencyMs) {
  const child = fork(path.join(root, "bench/server.mjs"), { stdio: "inherit", env: { ...process.env, LATENCY_MS: String(latencyMs) } });
  const { port } = await new Promise((resolve) => child.once("message", resolve));
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    stop: () => {
      child.disconnect();
      child.kill();
    },
  };
}
/** The bulk path under the profiler at concurrency 64 against the 5 ms server: each sender's time per event, by group. */
async function profileBulk(url, top) {
  const senders = await bulkSenders(url, { fetchTransport: false });
  const summaries = {};
  for (const [name, sender] of Object.entries(senders)) {
    if (!sender || name === "raw fetch pool") continue;
    await sender.send(bulkEvents(Math.min(5_000, PROFILE_EVENTS), 1e7), 64); // warm-up
    const events = bulkEvents(PROFILE_EVENTS, 2e7);
    await sender.prepare?.(events); // the outbox's events are enqueued beforehand, outside the profile
    summaries[name] = summarise(await profile(() => sender.send(events, 64)), events.length, top);
  }
  for (const sender of Object.values(senders)) await sender?.close();
  return summaries;
}

if (process.argv.includes("--profile")) {
  const server = await startServer(5);
  const summaries = await profileBulk(server.url, 25);
  server.stop();
  for (const [name, summary] of Object.entries(summaries)) console.log(`${formatSummary(name, summary)}\n`);
  process.exit(0);
}

// `--bulk`: the outbox's target rows alone (BENCH_BULK_ROWS, e.g. "5:64,20:256"), no fetch senders: a quick check
if (process.argv.includes("--bulk")) {
  const rows = (process.env.BENCH_BULK_ROWS ?? "5:64,20:256").split(",").map((row) => row.split(":").map(Number));
  for (const [delay, concurrency] of rows) {
    const server = await startServer(delay);
    const [row] = await measureBulk({
      servers: { [delay]: server.url },
      concurrencies: [concurrency],
      rounds: BULK_ROUNDS,
      maxEvents: BULK_EVENTS,
      seconds: BULK_SECONDS,
      withFetch: false,
    });
    server.stop();
    for (const [name, m] of Object.entries(row.senders))
      console.log(
        `${delay} ms, c=${concurrency}, ${name}: ${fmt(m.rate)} events/s, ${fmt(m.cpu, 1)} µs CPU per event; ÷ pool ${m.rateRatio.toFixed(2)}× events/s, ${m.cpuRatio.toFixed(2)}× CPU`,
      );
    // the target's ratio, taken within each round (the senders take turns), then the median
    const pairedTo = (a, b, metric) => median(row.runs[a].map((r, i) => r[metric] / row.runs[b][i][metric])).toFixed(2);
    for (const [outbox, bulk] of [
      ["outbox", "sendEvents, Node transport"],
      ["baseline build, outbox", "baseline build, sendEvents"],
    ])
      if (row.runs[outbox] && row.runs[bulk])
        console.log(`  ${outbox} ÷ ${bulk}: ${pairedTo(outbox, bulk, "rate")}× events/s, ${pairedTo(outbox, bulk, "cpu")}× CPU per event`);
  }
  process.exit(0);
}

const instant = await startServer(0);

// 1. Per call: latency and client CPU, GET and POST, sequential (BENCH_CLIENTS: only those, by name, separated by "|")
const only = process.env.BENCH_CLIENTS?.split("|").map((name) => name.trim());
const allClients = await perCallClients(instant.url);
const clients = only ? Object.fromEntries(Object.entries(allClients).filter(([name]) => only.includes(name))) : allClients;
const names = Object.keys(clients);
const perCall = { GET: {}, POST: {} };
for (const kind of ["GET", "POST"]) for (const name of names) perCall[kind][name] = { latency: [], cpu: [] };
for (const { get, post } of Object.values(clients)) for (let i = 0; i < WARMUP; i++) await (i % 2 ? get() : post(i));
// Each turn starts from a collected heap and ends by collecting its own garbage, inside its measurement:
// otherwise a client's garbage is collected (and its CPU counted) during the next client's turn.
const collect = globalThis.gc ?? (() => {});
for (let round = 0; round < ROUNDS; round++) {
  for (const kind of ["GET", "POST"]) {
    // the clients take turns in an order that rotates each round, so none always follows the same one
    for (const name of names.map((_, i) => names[(i + round) % names.length])) {
      const call = kind === "GET" ? clients[name].get : clients[name].post;
      collect();
      // what a collection costs with nothing new to collect (the live heap): not the client's
      const idle = process.cpuUsage();
      collect();
      const fixed = process.cpuUsage(idle);
      const cpu = process.cpuUsage();
      const started = performance.now();
      for (let i = 0; i < CALLS; i++) await call(i);
      const elapsed = performance.now() - started; // latency: the calls alone
      collect(); // CPU: the calls and the collection of what they left, less the fixed cost
      const spent = process.cpuUsage(cpu);
      const used = { user: spent.user - fixed.user, system: spent.system - fixed.system };
      perCall[kind][name].latency.push((elapsed * 1000) / CALLS);
      perCall[kind][name].cpu.push((used.user + used.system) / CALLS);
    }
  }
}
/** Median over rounds of (client ÷ `base`, raw fetch by default) within each round. */
const paired = (kind, name, metric, base = "raw fetch") =>
  median(perCall[kind][name][metric].map((v, r) => v / perCall[kind][base][metric][r]));
// `--per-call`: this section alone, each client's CPU ÷ raw node:http's (a quick check, not the report)
if (process.argv.includes("--per-call")) {
  for (const name of names)
    console.log(
      `${name}: GET CPU ${paired("GET", name, "cpu", "raw node:http").toFixed(2)}×, POST CPU ${paired("POST", name, "cpu", "raw node:http").toFixed(2)}× raw node:http (median µs: GET ${median(perCall.GET[name].cpu).toFixed(1)}, POST ${median(perCall.POST[name].cpu).toFixed(1)})`,
    );
  instant.stop();
  process.exit(0);
}
// OpenTelemetry with no provider against the same client without it, in a process of their own: the
// recording client above would share their code's inline caches (an app has one provider or none)
const otelNoop = JSON.parse(
  spawnSync(
    process.execPath,
    [path.join(root, "bench/otel-noop.mjs"), instant.url, String(OTEL_ROUNDS), String(OTEL_CALLS), String(WARMUP * 10)],
    { encoding: "utf8" },
  ).stdout,
);

// 2. Bulk: every bulk sender against servers answering after 5 and 20 ms, as a share of the limit
const bulkServers = { 5: await startServer(5), 20: await startServer(20) };
const bulk = await measureBulk({
  servers: { 5: bulkServers[5].url, 20: bulkServers[20].url },
  concurrencies: [8, 64, 256],
  rounds: BULK_ROUNDS,
  maxEvents: BULK_EVENTS,
  seconds: BULK_SECONDS,
});
// where the time goes, profiled apart from the measurements above
const split = await profileBulk(bulkServers[5].url, 8);

// 3. First response of a fresh process, and cold import
const firstResponse = Object.fromEntries(["raw-fetch", "sdk-fetch", "sdk-node"].map((kind) => [kind, []]));
const coldImport = { bare: [], core: [], node: [] };
for (let run = 0; run < COLD_RUNS; run++) {
  for (const kind of Object.keys(firstResponse)) {
    const { stdout } = spawnSync(process.execPath, [path.join(root, "bench/first-response.mjs"), kind, instant.url], { encoding: "utf8" });
    firstResponse[kind].push(Number(stdout));
  }
  for (const [kind, args] of Object.entries({
    bare: ["-e", "0"],
    core: ["--input-type=module", "-e", "await import('./dist/index.js')"],
    node: ["--input-type=module", "-e", "await import('./dist/index.node.js')"],
  })) {
    const started = performance.now();
    spawnSync(process.execPath, args, { cwd: root });
    coldImport[kind].push(performance.now() - started);
  }
}

// 4. The CLI importing NDJSON against the 5 ms server, on each transport
const ndjson = path.join(tmpdir(), `enable3-bench-${process.pid}.ndjson`);
await writeFile(ndjson, `${Array.from({ length: CLI_LINES }, (_, i) => JSON.stringify(eventBody(i))).join("\n")}\n`);
const cliRun = (transport) => {
  const { stderr } = spawnSync(
    process.execPath,
    [
      path.join(root, "bench/cli-import.mjs"),
      "events",
      ndjson,
      "--concurrency",
      "64",
      "--quiet",
      "--json",
      "--dead-letter",
      `${ndjson}.failed`,
      // each run imports the whole file: the same file imported again is otherwise "already imported"
      "--fresh",
    ],
    {
      encoding: "utf8",
      env: { ...process.env, ENABLE3_API_KEY: "bench-key", ENABLE3_BASE_URL: bulkServers[5].url, ENABLE3_TRANSPORT: transport },
    },
  );
  const result = JSON.parse(stderr.trim().split("\n").at(-1));
  return { ...result, rate: CLI_LINES / result.seconds };
};
const cli = { node: cliRun("node"), fetch: cliRun("fetch") };
for (const server of [instant, ...Object.values(bulkServers)]) server.stop();

// 5. The outbox (bench/outbox.mjs: its own servers and PostgreSQL; BENCH_OUTBOX_* knobs there)
const outbox = [...(await measureOutbox()), ...(await measureLatency()), ...(await measureOrderedClaim())]; // bench/latency.mjs: enqueue → delivered; bench/ordered-claim.mjs
const ordered = await measureOrdered(); // bench/outbox-ordered.mjs: BENCH_ORDERED_* knobs there

// 6. Bundle sizes, everything each entry can load
const sizes = {
  "core entry (any runtime)": await measure("dist/index.js"),
  "Node entry (core + node:http transport)": await measure("dist/index.node.js", "node"),
  "/callback": await measure("dist/callback.js"),
  "/widget": await measure("dist/widget.js"),
  "/outbox": await measure("dist/outbox.js", "node"),
  "/opentelemetry (its API not counted)": await measure("dist/opentelemetry.js", "neutral", ["@opentelemetry/api"]),
};

// Report
const x = (v) => `${v.toFixed(2)}×`;
const rows = [
  "## 1. Per call, sequential (server answering at once)",
  "",
  `Medians over ${ROUNDS} rounds of ${CALLS} calls; each figure is the client's ÷ raw fetch's in the same round.`,
  "",
  "| client | GET latency | GET client CPU | POST latency | POST client CPU | GET CPU ÷ raw node:http | POST CPU ÷ raw node:http |",
  "|---|---|---|---|---|---|---|",
];
const HTTP = "raw node:http";
for (const name of names)
  rows.push(
    `| ${name} | ${x(paired("GET", name, "latency"))} | ${x(paired("GET", name, "cpu"))} | ${x(paired("POST", name, "latency"))} | ${x(paired("POST", name, "cpu"))} | ${x(paired("GET", name, "cpu", HTTP))} | ${x(paired("POST", name, "cpu", HTTP))} |`,
  );
rows.push(
  "",
  `Raw fetch itself: GET ${fmt(median(perCall.GET["raw fetch"].latency))} µs and ${fmt(median(perCall.GET["raw fetch"].cpu))} µs of CPU per call; POST ${fmt(median(perCall.POST["raw fetch"].latency))} µs and ${fmt(median(perCall.POST["raw fetch"].cpu))} µs.`,
);
rows.push(
  "",
  `OpenTelemetry installed with no provider, each client in processes of its own (bench/otel-noop.mjs, ${OTEL_ROUNDS} of each, alternating): GET ${x(otelNoop.GET)} and POST ${x(otelNoop.POST)} the CPU per call of the same client without it. Two sets of identical processes without it differ by GET ${x(otelNoop.noiseGET)} and POST ${x(otelNoop.noisePOST)}: what this method cannot resolve.`,
);
rows.push("", ...bulkRows(bulk, BULK_ROUNDS), "", ...splitRows(split));
rows.push(
  "",
  `## 3. A fresh process (${COLD_RUNS} runs, medians)`,
  "",
  "| | raw fetch | SDK, fetch transport | SDK, Node transport |",
  "|---|---|---|---|",
);
rows.push(
  `| time to first response | ${fmt(median(firstResponse["raw-fetch"]), 1)} ms | ${fmt(median(firstResponse["sdk-fetch"]), 1)} ms | ${fmt(median(firstResponse["sdk-node"]), 1)} ms |`,
);
rows.push(
  `| cold import above \`node -e 0\` (${fmt(median(coldImport.bare), 1)} ms) | – | ${fmt(median(coldImport.core) - median(coldImport.bare), 1)} ms | ${fmt(median(coldImport.node) - median(coldImport.bare), 1)} ms |`,
);
rows.push(
  "",
  `## 4. \`enable3 import events\`: ${fmt(CLI_LINES)} lines, server delay 5 ms, --concurrency 64`,
  "",
  "| transport | events/s | peak RSS |",
  "|---|---|---|",
);
for (const [name, r] of Object.entries(cli)) rows.push(`| ${name} | ${fmt(r.rate)} | ${fmt(r.peakRssMb)} MB |`);
rows.push("", "## 5. The outbox (5 ms server, medians of rounds)", "", "| measure | value | target |", "|---|---|---|");
for (const r of outbox) {
  const mark = r.target && r.target !== "reference" ? (r.holds ? " (holds)" : " (**missed**)") : "";
  rows.push(`| ${r.measure} | ${fmt(r.value, r.value < 10 ? 2 : 0)} ${r.unit} | ${r.target}${mark} |`);
}
rows.push(...orderedRows(ordered));
rows.push("", "## 6. Bundles (minified + gzipped, everything each entry can load)", "", "| bundle | min+gzip |", "|---|---|");
for (const [name, s] of Object.entries(sizes)) rows.push(`| ${name} | ${(s.gzipped / 1024).toFixed(2)} kB |`);

const node = "enable3-client, Node transport";
const at = (delay, concurrency) => bulk.find((r) => r.delay === delay && r.concurrency === concurrency);
const sdkAt = (delay, concurrency) => at(delay, concurrency).senders["sendEvents, Node transport"];
const fetchPoolAt = (delay, concurrency) => at(delay, concurrency).senders["raw fetch pool"];
/** The outbox (delivering events enqueued beforehand) ÷ sendEvents, within each round, median over rounds. */
const outboxToBulk = (delay, concurrency, metric) => {
  const { runs } = at(delay, concurrency);
  return median(runs.outbox.map((r, i) => r[metric] / runs["sendEvents, Node transport"][i][metric]));
};
const targets = [
  ["Per call GET: SDK client CPU ≤ 1.5× raw node:http", paired("GET", node, "cpu", HTTP), 1.5, x],
  ["Per call POST: SDK client CPU ≤ 1.3× raw node:http", paired("POST", node, "cpu", HTTP), 1.3, x],
  ...[
    [5, 64],
    [20, 256],
  ].flatMap(([delay, c]) => [
    [`Outbox on a fileStore @${delay} ms, concurrency ${c}: ≥ 0.9× sendEvents' events/s`, outboxToBulk(delay, c, "rate"), 0.9, x, true],
    [`Outbox on a fileStore @${delay} ms, concurrency ${c}: CPU per event ≤ 1.3× sendEvents'`, outboxToBulk(delay, c, "cpu"), 1.3, x],
  ]),
  ...[
    [5, 64],
    [20, 256],
  ].flatMap(([delay, c]) => [
    [`sendEvents @${delay} ms, concurrency ${c}: ≥ 0.9× the raw node:http pool's events/s`, sdkAt(delay, c).rateRatio, 0.9, x, true],
    [`sendEvents @${delay} ms, concurrency ${c}: CPU per event ≤ 1.25× the pool's`, sdkAt(delay, c).cpuRatio, 1.25, x],
  ]),
  ["Per call GET: SDK client CPU ≤ 0.6× raw fetch", paired("GET", node, "cpu"), 0.6, x],
  ["Per call POST: SDK client CPU ≤ 0.5× raw fetch", paired("POST", node, "cpu"), 0.5, x],
  ["Per call GET: latency ≤ 0.75× raw fetch", paired("GET", node, "latency"), 0.75, x],
  ...[64, 256].map((c) => [
    `Bulk @20 ms, concurrency ${c}: ≥ 85 % of the limit`,
    sdkAt(20, c).rate / at(20, c).limit,
    0.85,
    (v) => `${fmt(100 * v)} %`,
    true,
  ]),
  ["Bulk @20 ms, concurrency 256: ≥ 2.5× the raw-fetch pool", sdkAt(20, 256).rate / fetchPoolAt(20, 256).rate, 2.5, x, true],
  ["Bulk @5 ms, concurrency 64: ≥ 2.5× the raw-fetch pool", sdkAt(5, 64).rate / fetchPoolAt(5, 64).rate, 2.5, x, true],
  ["CLI import: ≥ 2.5× the fetch transport's events/s", cli.node.rate / cli.fetch.rate, 2.5, x, true],
  ["CLI import: peak RSS < 150 MB", cli.node.peakRssMb, 150, (v) => `${fmt(v)} MB`],
  ["Cold import (Node entry) within 30 ms of bare node", median(coldImport.node) - median(coldImport.bare), 30, (v) => `${fmt(v, 1)} ms`],
  ["First response ≤ 0.6× raw fetch's", median(firstResponse["sdk-node"]) / median(firstResponse["raw-fetch"]), 0.6, x],
  ["Core bundle, lazy chunks included, ≤ 16 kB", sizes["core entry (any runtime)"].gzipped / 1024, 16, (v) => `${v.toFixed(2)} kB`],
  ["Per call GET: OpenTelemetry installed, no provider, ≤ 1.03× the SDK's CPU (bench/otel-noop.mjs)", otelNoop.GET, 1.03, x],
  ["Per call POST: OpenTelemetry installed, no provider, ≤ 1.03× the SDK's CPU (bench/otel-noop.mjs)", otelNoop.POST, 1.03, x],
  ...outbox
    .filter((r) => r.target && r.target !== "reference")
    .map((r) => [`Outbox: ${r.measure} ${r.target}`, r.value, r.holds, (v) => `${fmt(v, v < 10 ? 2 : 0)} ${r.unit}`, "given"]),
];
const table = [
  "## Targets",
  "",
  "| target | measured | holds |",
  "|---|---|---|",
  ...targets.map(
    ([name, value, line, show, atLeast]) =>
      `| ${name} | ${show(value)} | ${(atLeast === "given" ? line : atLeast ? value >= line : value <= line) ? "yes" : "**no**"} |`,
  ),
].join("\n");
const doc = `# Benchmarks

Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim()}.
Servers run on 127.0.0.1 in processes of their own (keep-alive; one answering at once, two after 5 and
20 ms standing in for the network). The "CLI import" fetch row sets ENABLE3_TRANSPORT=fetch: the CLI as it
was before the Node transport. Reproduce: \`npm run bench\` (knobs: BENCH_ROUNDS, BENCH_CALLS,
BENCH_WARMUP, BENCH_BULK_EVENTS, BENCH_BULK_SECONDS, BENCH_BULK_ROUNDS, BENCH_COLD_RUNS, BENCH_CLI_LINES, BENCH_OTEL_ROUNDS, BENCH_OTEL_CALLS; BENCH_OUT for another output file).
Quick checks that write nothing: \`node --expose-gc bench/run.mjs --per-call\` (section 1 alone; BENCH_CLIENTS="name|name" to pick clients),
\`--bulk\` (the outbox's target rows alone; BENCH_BULK_ROWS="5:64,20:256"), \`--profile\`; BENCH_BASELINE=<another build's dist/>
measures that build's Node transport, sendEvents and outbox in the same rounds (before and after a change, on one machine).

${table}

Client CPU per call includes collecting the garbage those calls left: each turn starts from a
collected heap and ends with a collection (\`--expose-gc\`), less what a collection costs with nothing
new to collect. The clients' order rotates each round.

What holds the missed targets back (CPU profiles of the SDK's bulk path, not of the benchmark, beside
the raw node:http pool's): ${heldBack(split)} The concurrency-256 rows are CPU-bound: client and server
share the two cores. Node 20's fetch does not load lazily here, so a fresh process's first response is
about the same on every client.

${rows.join("\n")}
`;
await writeFile(process.env.BENCH_OUT ?? path.join(root, "docs/benchmarks.md"), doc);
console.log(table);

#!/usr/bin/env node
// Ordered delivery's cost (issue 35), on the built package against the 5 ms server: a fileStore outbox
// delivers N segment changes of U users (each user's one at a time, in order) beside N unordered
// events, at the same concurrency; paired rounds, median ratio (target ≥ 0.8× when users are many).
// Only delivery is timed (open to flushed); the records are enqueued first with deliver: false.
// `node bench/outbox-ordered.mjs` runs it alone (BENCH_ORDERED_* knobs below); run.mjs imports
// measureOrdered() and orderedRows().
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "./outbox.mjs";

const knob = (name, fallback) => Number(process.env[`BENCH_ORDERED_${name}`] ?? fallback);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Enqueues `n` records with `add`, then times their delivery at `concurrency`: records/s. */
async function deliveryRate(url, n, concurrency, add) {
  const { createOutbox, fileStore } = await import("../dist/outbox.js");
  const { createEnable3Client } = await import("../dist/index.node.js");
  const dir = await mkdtemp(path.join(tmpdir(), "enable3-bench-ordered-"));
  try {
    const client = createEnable3Client({ apiKey: "bench-key", baseUrl: url });
    const filling = createOutbox(client, { store: fileStore(dir), deliver: false, telemetry: false });
    for (let i = 0; i < n; i += 500) await Promise.all(Array.from({ length: Math.min(500, n - i) }, (_, j) => add(filling, i + j)));
    await filling.close();
    const started = performance.now();
    const outbox = createOutbox(client, { store: fileStore(dir), concurrency, telemetry: false });
    await outbox.flush();
    const rate = n / ((performance.now() - started) / 1000);
    await outbox.close();
    return rate;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Ordered segment delivery beside unordered events, same concurrency, paired rounds. */
export async function measureOrdered({
  records = knob("RECORDS", 5_000),
  users = knob("USERS", 1_000),
  concurrency = knob("CONCURRENCY", 32),
  rounds = knob("ROUNDS", 3),
} = {}) {
  const server = await startServer(5);
  const event = (outbox, i) => outbox.enqueue({ userId: `u${i % users}`, eventId: "deposit", value: i });
  const change = (outbox, i) => (i % 2 ? outbox.removeSegments : outbox.assignSegments)([{ userId: `u${i % users}`, segmentIds: ["vip"] }]);
  const unordered = [];
  const ordered = [];
  const ratios = [];
  try {
    for (let r = 0; r < rounds; r++) {
      const a = await deliveryRate(server.url, records, concurrency, event);
      const b = await deliveryRate(server.url, records, concurrency, change);
      unordered.push(a);
      ordered.push(b);
      ratios.push(b / a);
    }
  } finally {
    server.stop();
  }
  return { records, users, concurrency, unordered: median(unordered), ordered: median(ordered), ratio: median(ratios) };
}

const fmt = (n, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The rows run.mjs prints under the outbox's table. */
export function orderedRows(m) {
  return [
    `| ordered segment delivery, ${fmt(m.users)} users (fileStore, concurrency ${m.concurrency}) | ${fmt(m.ordered)} changes/s | |`,
    `| unordered events, same concurrency | ${fmt(m.unordered)} events/s | |`,
    `| ordered ÷ unordered (median of paired rounds) | ${fmt(m.ratio, 2)}× | ≥ 0.8×${m.ratio >= 0.8 ? " (holds)" : " (**missed**)"} |`,
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const m = await measureOrdered();
  console.log(orderedRows(m).join("\n"));
  console.log(JSON.stringify(m));
}

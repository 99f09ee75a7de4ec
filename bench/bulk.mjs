// Bulk sending, measured: for each server delay and concurrency, every sender (bulk-clients.mjs) sends
// the same number of new events, in rounds whose order rotates; events/s and client CPU µs per event
// are taken per round, each sender's ratio to the raw node:http pool within the round, then medians.
// A sender's CPU includes collecting the garbage it left (--expose-gc), as the per-call table does.
import { bulkEvents, bulkSenders } from "./bulk-clients.mjs";

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const collect = globalThis.gc ?? (() => {});
export const POOL = "raw node:http pool";

async function measureOnce(sender, events, concurrency) {
  await sender.prepare?.(events); // the outbox's events are enqueued beforehand, not timed
  collect();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await sender.send(events, concurrency);
  const seconds = (performance.now() - started) / 1000;
  collect();
  const used = process.cpuUsage(cpu);
  return { rate: events.length / seconds, cpu: (used.user + used.system) / events.length };
}

/**
 * Rows of { delay, concurrency, limit, n, senders: { name: { rate, cpu, rateRatio, cpuRatio } | undefined } };
 * `servers` maps a delay in ms to its server's URL.
 */
export async function measureBulk({ servers, concurrencies, rounds, maxEvents, seconds, withFetch = true }) {
  const rows = [];
  // every run sends events never sent before (new ids), as a backfill does
  let offset = 0;
  const fresh = (n) => {
    offset += n;
    return bulkEvents(n, offset);
  };
  for (const [delay, url] of Object.entries(servers)) {
    const senders = await bulkSenders(url, { fetchTransport: withFetch, fetchPool: withFetch });
    const names = Object.keys(senders).filter((name) => senders[name]);
    for (const concurrency of concurrencies) {
      const limit = (concurrency * 1000) / Number(delay);
      // about `seconds` at the limit, and never fewer events than there are requests in flight
      const n = Math.max(concurrency, Math.min(maxEvents, Math.round(limit * seconds)));
      for (const name of names) await senders[name].send(fresh(Math.min(n, 2_000)), concurrency); // warm-up
      const runs = Object.fromEntries(names.map((name) => [name, []]));
      for (let round = 0; round < rounds; round++) {
        for (const name of names.map((_, i) => names[(i + round) % names.length])) {
          runs[name].push(await measureOnce(senders[name], fresh(n), concurrency));
        }
      }
      const row = { delay: Number(delay), concurrency, limit, n, senders: {}, runs };
      for (const name of Object.keys(senders)) {
        if (!senders[name]) {
          row.senders[name] = undefined;
          continue;
        }
        const of = (metric) => runs[name].map((r) => r[metric]);
        const paired = (metric) => median(runs[name].map((r, i) => r[metric] / runs[POOL][i][metric]));
        row.senders[name] = { rate: median(of("rate")), cpu: median(of("cpu")), rateRatio: paired("rate"), cpuRatio: paired("cpu") };
      }
      rows.push(row);
    }
    for (const sender of Object.values(senders)) await sender?.close();
  }
  return rows;
}

const fmt = (n, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const times = (v) => `${v.toFixed(2)}×`;

/** The bulk section of docs/benchmarks.md. */
export function bulkRows(rows, rounds) {
  const lines = [
    "## 2. Bulk (POST /api/v1/event), as a share of the limit concurrency ÷ server delay",
    "",
    `Medians over ${rounds} rounds whose order rotates; "÷ pool" is the sender's figure over the raw node:http pool's in the same round. CPU is the client process's, garbage collection included.`,
    "",
    "| delay | concurrency | limit (events/s) | sender | events/s | share of the limit | ÷ pool (events/s) | CPU µs per event | ÷ pool (CPU) |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of rows) {
    for (const [name, m] of Object.entries(r.senders)) {
      const head = `| ${r.delay} ms | ${r.concurrency} | ${fmt(r.limit)} | ${name} |`;
      lines.push(
        m
          ? `${head} ${fmt(m.rate)} | ${fmt((100 * m.rate) / r.limit)} % | ${times(m.rateRatio)} | ${fmt(m.cpu, 1)} | ${times(m.cpuRatio)} |`
          : `${head} – (no outbox on this branch) | | | | |`,
      );
    }
  }
  return lines;
}

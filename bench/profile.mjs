// CPU profiles of a workload (the SDK's bulk path, or the raw node:http pool beside it), taken in this
// process with node:inspector, summarised as the top frames by self time, grouped as node:http (the
// http client, sockets and streams), openapi-fetch, SDK (this package's dist/), GC, and the rest.
// Used by `npm run bench -- --profile`; the benchmark's own frames (this folder) are counted apart.
import { Session } from "node:inspector/promises";

/** Which group a frame's self time goes to. */
export function groupOf(frame) {
  const { url, functionName } = frame.callFrame;
  if (functionName === "(garbage collector)") return "GC";
  if (functionName === "(program)" || functionName === "(idle)") return "idle";
  if (url.includes("openapi-fetch")) return "openapi-fetch";
  if (url.includes("/dist/") && !url.includes("node_modules")) return "SDK";
  if (url.includes("/bench/")) return "bench";
  if (/^node:(_http_|http|https|net|tls|internal\/(streams|http|net|stream_base|tls))/.test(url)) return "node:http";
  if (url.startsWith("node:")) return "node (other)";
  return url === "" ? "V8 / native" : "other";
}

/** Runs `work` under the profiler; resolves to the profile. */
export async function profile(work) {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 100 });
  await session.post("Profiler.start");
  let result;
  try {
    await work();
  } finally {
    ({ profile: result } = await session.post("Profiler.stop"));
    session.disconnect();
  }
  return result;
}

/** Self time per group and the top frames, in µs per event (`events` divides the totals). */
export function summarise(result, events, top = 15) {
  const selfUs = new Map();
  const deltas = result.timeDeltas;
  for (let i = 0; i < result.samples.length; i++) selfUs.set(result.samples[i], (selfUs.get(result.samples[i]) ?? 0) + (deltas[i] ?? 0));
  const groups = {};
  const frames = new Map();
  for (const node of result.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (!us) continue;
    const group = groupOf(node);
    groups[group] = (groups[group] ?? 0) + us;
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || "(anonymous)"} ${url.replace(/^.*\/(dist|node_modules)\//, "$1/")}:${lineNumber + 1}`;
    const frame = frames.get(key) ?? { key, group, us: 0 };
    frame.us += us;
    frames.set(key, frame);
  }
  const busy = Object.entries(groups)
    .filter(([g]) => g !== "idle")
    .reduce((sum, [, us]) => sum + us, 0);
  return {
    busyPerEvent: busy / events,
    groups: Object.fromEntries(
      Object.entries(groups)
        .filter(([g]) => g !== "idle")
        .sort((a, b) => b[1] - a[1])
        .map(([g, us]) => [g, us / events]),
    ),
    top: [...frames.values()]
      .filter((f) => f.group !== "idle")
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ ...f, us: f.us / events })),
  };
}

/** The summary as text: groups, then the top frames. */
export function formatSummary(name, summary) {
  const f = (n) => n.toFixed(1).padStart(6);
  const lines = [`${name}: ${summary.busyPerEvent.toFixed(1)} µs busy per event`];
  for (const [group, us] of Object.entries(summary.groups)) lines.push(`  ${f(us)} µs  ${group}`);
  lines.push("  top frames by self time (µs per event):");
  for (const frame of summary.top) lines.push(`  ${f(frame.us)}  [${frame.group}] ${frame.key}`);
  return lines.join("\n");
}

const POOL = "raw node:http pool";
const SDK = "sendEvents, Node transport";
const us = (n) => n.toFixed(1);

/** The split section of docs/benchmarks.md: time per event by group for each profiled sender, and sendEvents' top frames. */
export function splitRows(split) {
  const names = Object.keys(split);
  const groups = [...new Set(Object.values(split).flatMap((s) => Object.keys(s.groups)))];
  const lines = [
    "### Where the bulk CPU goes (concurrency 64, 5 ms server, profiled; µs per event, by self time)",
    "",
    `| group | ${names.join(" | ")} |`,
    `|---|${names.map(() => "---").join("|")}|`,
    ...groups.map((g) => `| ${g} | ${names.map((n) => us(split[n].groups[g] ?? 0)).join(" | ")} |`),
    `| **busy, total** | ${names.map((n) => us(split[n].busyPerEvent)).join(" | ")} |`,
    "",
    `Top frames of ${SDK} by self time ("V8 / native" holds the socket writes, writev, and the promise machinery):`,
    "",
    "| µs per event | group | frame |",
    "|---|---|---|",
  ];
  for (const frame of split[SDK]?.top ?? []) lines.push(`| ${us(frame.us)} | ${frame.group} | \`${frame.key}\` |`);
  return lines;
}

/** One sentence: how much more sendEvents is busy per event than the pool, and in which groups. */
export function heldBack(split) {
  const sdk = split[SDK];
  const pool = split[POOL];
  if (!sdk || !pool) return "";
  const more = Object.keys({ ...sdk.groups, ...pool.groups })
    .map((g) => [g, (sdk.groups[g] ?? 0) - (pool.groups[g] ?? 0)])
    .filter(([, d]) => Math.abs(d) >= 0.5)
    .sort((a, b) => b[1] - a[1]);
  return `sendEvents is busy ${us(sdk.busyPerEvent)} µs per event against the pool's ${us(pool.busyPerEvent)}; the difference, by group: ${more.map(([g, d]) => `${g} ${d > 0 ? "+" : ""}${us(d)} µs`).join(", ")}. openapi-fetch's share is its request building (coreFetch, the two WHATWG Headers merges), which the design keeps; "SDK" is this package's own code (checks, bulk worker, retry loop, attempt).`;
}

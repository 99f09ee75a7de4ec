// OpenTelemetry installed with no provider, against the same client without it. Each client runs in a
// process of its own, as in an app (one provider or none, never both): in one process the two would
// share the SDK's call sites, and each would pay for the other's shapes. The processes alternate;
// prints {"GET", "POST"}: the median no-op CPU per call ÷ the median off CPU per call, and beside them
// {"noiseGET", "noisePOST"}: a second set of off processes ÷ the first, what the method cannot resolve.
// node bench/otel-noop.mjs <baseUrl> [rounds] [calls per turn] [warm-up calls]
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createEnable3Client } from "../dist/index.node.js";
import { eventBody } from "./clients.mjs";

const [baseUrl, rounds = "10", calls = "1000", warmup = "3000", child] = process.argv.slice(2);
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

if (child) {
  // one client: warmed up, then turns of `calls` calls, each from a collected heap and ending with a
  // collection of its own garbage (as in run.mjs); prints the median CPU µs per call of each kind
  const client = createEnable3Client({ apiKey: "bench-key", baseUrl, ...(child === "off" ? { telemetry: false } : {}) });
  const send = (kind, i) => (kind === "GET" ? client.getUserBalance("player-42") : client.sendEvent(eventBody(i)));
  const collect = globalThis.gc ?? (() => {});
  for (let i = 0; i < Number(warmup); i++) await send(i % 2 ? "GET" : "POST", i);
  const cpu = { GET: [], POST: [] };
  for (let turn = 0; turn < 6; turn++) {
    for (const kind of ["GET", "POST"]) {
      collect();
      const started = process.cpuUsage();
      for (let i = 0; i < Number(calls); i++) await send(kind, i);
      collect();
      const spent = process.cpuUsage(started);
      cpu[kind].push((spent.user + spent.system) / Number(calls));
    }
  }
  process.stdout.write(JSON.stringify({ GET: median(cpu.GET), POST: median(cpu.POST) }));
  process.exit(0);
}

const script = fileURLToPath(import.meta.url);
// "again" is the off client once more: how far two sets of identical processes differ (the noise floor)
const runs = { off: [], noop: [], again: [] };
const order = ["noop", "off", "again"];
for (let r = 0; r < Number(rounds); r++) {
  for (const mode of order.map((_, i) => order[(i + r) % order.length])) {
    const args = ["--expose-gc", script, baseUrl, rounds, calls, warmup, mode === "again" ? "off" : mode];
    const { stdout } = spawnSync(process.execPath, args, { encoding: "utf8" });
    runs[mode].push(JSON.parse(stdout));
  }
}
const ratio = (mode, kind) => median(runs[mode].map((r) => r[kind])) / median(runs.off.map((r) => r[kind]));
const result = {
  GET: ratio("noop", "GET"),
  POST: ratio("noop", "POST"),
  noiseGET: ratio("again", "GET"),
  noisePOST: ratio("again", "POST"),
};
process.stdout.write(`${JSON.stringify(result)}\n`);

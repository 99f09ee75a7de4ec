// Peak RSS while streaming N events from an NDJSON file through the bulk API (a process of its own,
// so the figure is the SDK's alone). Usage: node bench/memory.mjs <file.ndjson> <baseUrl>
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { createEnable3Client } from "../dist/index.js";

const [file, baseUrl] = process.argv.slice(2);
const enable3 = createEnable3Client({ apiKey: "bench-key", baseUrl });
async function* events() {
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) if (line) yield JSON.parse(line);
}
const started = performance.now();
const report = await enable3.sendEvents(events(), { collectDelivered: false }); // the bulk API as it comes: concurrency 8
const seconds = (performance.now() - started) / 1000;
process.stdout.write(JSON.stringify({ delivered: report.deliveredCount, failed: report.failed.length, seconds, peakRssMb: process.resourceUsage().maxRSS / 1024 }));

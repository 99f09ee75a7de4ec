#!/usr/bin/env node
import path from "node:path";
import { fileURLToPath } from "node:url";
// @ts-check
// npm run size: each public entry bundled with its dependencies (esbuild), minified and gzipped,
// against its budget. Exits 1 when one is over. Run after `npm run build`.
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Bytes, min+gzip, of everything an entry can load: its own chunk, what it imports, and the chunks it
 * loads on first use (bulk sending, token expiry), all counted. openai-node is about 37 kB on this
 * measure; the core's 16 kB leaves room for a clear structure, which is never traded for bytes.
 */
export const BUDGETS = {
  // the target is 16 kB; 17 kB while what real networks, telemetry and the first-hour checks added to it
  // is weighed (see CHANGELOG): everything below is counted, lazy chunks included. +1.5 kB (issues 29
  // and 34): unknown options refused with "did you mean" (the option lists, an edit distance), the
  // User-Agent, ids on failures, .withResponse(), ENABLE3_LOG, raw results redacted; +0.5 kB (issues 32
  // and 33): the client's headers written per call from a list made once (not merged by openapi-fetch
  // into a new Headers each call), the API's date form checked without a Date, the client's parts split
  // into files whose shared state's field names minifying keeps
  "enable3-client": { file: "dist/index.js", budget: 19.5 * 1024 },
  // the core and its node:http transport with what real networks need (the proxy route and CONNECT
  // tunnel, decompression, the shared pools, TLS and protocol failures read for what they mean), and
  // the OpenTelemetry instrumentation a Node client uses on its own when @opentelemetry/api is installed
  // (+1.5 kB, +0.5 kB: the core's additions above)
  "enable3-client (Node entry)": { file: "dist/index.node.js", budget: 24.5 * 1024, platform: "node" },
  // the instrumentation alone: @opentelemetry/api is the app's own (an optional peer), not counted. Its
  // attribute cache and no-op shortcuts (0.3 kB) keep it within 3% of no telemetry when no provider is set;
  // traceparent and tracestate written by the SDK itself (no baggage from the app's propagator), its version;
  // +1 kB (issue 34): its options checked, so the typed errors and the unknown-option rule are bundled in
  // +0.25 kB (issue 31): the enqueuing span's traceparent read for an outbox record, and the call span's link to it
  "enable3-client/opentelemetry": { file: "dist/opentelemetry.js", budget: 4 * 1024, external: ["@opentelemetry/api"] },
  // the hashes (about 6 kB), the withdrawal receiver with its stores and the PostgreSQL layer (about 6 kB,
  // the marks' retention and purge included), and lossless-json's parser (2.3 kB), which keeps a
  // withdrawal's amounts exact; +0.5 kB (issue 34): the unknown-option rule and the receiver's and store's keys;
  // +1.25 kB (issues 31, 33): deliveries counted per minute (receiver.stats()), the one lease module and
  // options shape both stores share, the store's SQL as builders, one hook-failure reporter
  "enable3-client/callback": { file: "dist/callback.js", budget: 18.75 * 1024 },
  // one abort listener per caller signal (internal/abort.ts) joined the cache; +0.4 kB (issue 34): the unknown-option rule
  "enable3-client/widget": { file: "dist/widget.js", budget: 3.25 * 1024 },
  // issue 30 added about 2.2 kB: the pause on a 401/403/407 and its probes, the in-memory record queue
  // that spills waiting records (no head-of-line stall), judging a record's age across clock steps, the
  // postgresStore's own counts between reads, the JSON check of context, flush's timeout; and about 3 kB
  // for the journal under faults: numbered records, the manifest, the lock's watch, loss reports, dead
  // records waiting for room; +0.5 kB (issue 34): the keys of the outbox's, its methods' and stores' options
  // +0.5 kB (issue 31): the per-minute history of the last hour, the enqueuing span's traceparent kept and linked;
  // +0.75 kB (issue 35): segment records (assignSegments/removeSegments, their sender) and ordering keys;
  // +5.75 kB (issues 31, 32, 35 merged): reading a store from outside while an outbox runs (journal and
  // table inspection, status.json and the workers' table, dead records by filter, their retention and
  // purge), postgresStore's LISTEN connection, read-ahead claims, one-statement settlements and the
  // ordered claim, each as SQL builders; +1 kB (issue 33): createOutbox, the fileStore's open store and
  // journal, the postgresStore's session and listener and the delivery loop split into module functions
  // over a shared state (its fields are property names, which minifying keeps, where the closures'
  // variables were renamed)
  "enable3-client/outbox": { file: "dist/outbox.js", budget: 30 * 1024, platform: "node" },
  // the operations page (issue 31): the page, its style and server-drawn chart, the JSON figures, the
  // guarded writes with their HMAC token (@noble/hashes' sha256 and hmac, about 2 kB), the capped body
  // reader, and the typed errors with the unknown-option rule (about 3.5 kB)
  // +0.25 kB (issue 35): the held-back keys and pending records by kind
  "enable3-client/ops": { file: "dist/ops.js", budget: 12.75 * 1024 },
};

/**
 * @param {string} file a built entry, relative to the project
 * @param {import("esbuild").Platform} [platform]
 * @param {string[]} [external] packages left out of the bundle (an optional peer the app brings)
 * @returns {Promise<{ minified: number, gzipped: number }>}
 */
export async function measure(file, platform = "neutral", external = /** @type {string[]} */ ([])) {
  const result = await build({
    entryPoints: [path.resolve(root, file)],
    bundle: true,
    minify: true,
    format: "esm",
    platform,
    external,
    splitting: true,
    outdir: path.join(root, "out"),
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  // What the import can load: the entry chunk and every chunk it imports, statically or on first use.
  const outputs = result.metafile.outputs;
  const entry = Object.keys(outputs).find((key) => outputs[key]?.entryPoint);
  /** @type {Set<string>} */
  const loaded = new Set();
  const visit = (/** @type {string} */ key) => {
    if (loaded.has(key)) return;
    loaded.add(key);
    for (const i of outputs[key]?.imports ?? []) if (i.kind === "import-statement" || i.kind === "dynamic-import") visit(i.path);
  };
  if (entry === undefined) throw new Error(`esbuild produced no entry chunk for ${file}`);
  visit(entry);
  const byPath = new Map(result.outputFiles.map((f) => [path.relative(root, f.path), f.contents]));
  const code = Buffer.concat([...loaded].map((key) => byPath.get(key) ?? new Uint8Array()));
  return { minified: code.length, gzipped: gzipSync(code, { level: 9 }).length };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let over = 0;
  for (const [entry, { file, budget, ...rest }] of Object.entries(BUDGETS)) {
    const platform = "platform" in rest ? /** @type {import("esbuild").Platform} */ (rest.platform) : undefined;
    const external = "external" in rest ? /** @type {string[]} */ (rest.external) : [];
    const { minified, gzipped } = await measure(file, platform, external);
    const ok = gzipped <= budget;
    if (!ok) over++;
    console.log(
      `${ok ? "ok  " : "OVER"} ${entry.padEnd(28)} ${(gzipped / 1024).toFixed(2)} kB min+gzip (${(minified / 1024).toFixed(1)} kB min), budget ${(budget / 1024).toFixed(2)} kB`,
    );
  }
  process.exitCode = over ? 1 : 0;
}

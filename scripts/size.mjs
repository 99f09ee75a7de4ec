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
 * Bytes, min+gzip. The core budget is the one operators feel on every server and edge worker: 10 kB,
 * of which openapi-fetch alone is about 2.5 kB (a 6 kB core would mean dropping features).
 */
export const BUDGETS = {
  "enable3-client": { file: "dist/index.js", budget: 10 * 1024 },
  "enable3-client/callback": { file: "dist/callback.js", budget: 7 * 1024 },
  "enable3-client/widget": { file: "dist/widget.js", budget: 2.5 * 1024 },
};

/**
 * @param {string} file a built entry, relative to the project
 * @param {import("esbuild").Platform} [platform]
 * @returns {Promise<{ minified: number, gzipped: number }>}
 */
export async function measure(file, platform = "neutral") {
  const result = await build({
    entryPoints: [path.resolve(root, file)],
    bundle: true,
    minify: true,
    format: "esm",
    platform,
    splitting: true,
    outdir: path.join(root, "out"),
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  // What loads with the import: the entry chunk and every chunk it imports statically. Chunks it
  // imports dynamically (bulk sending) load on first use and are not counted.
  const outputs = result.metafile.outputs;
  const entry = Object.keys(outputs).find((key) => outputs[key]?.entryPoint);
  /** @type {Set<string>} */
  const loaded = new Set();
  const visit = (/** @type {string} */ key) => {
    if (loaded.has(key)) return;
    loaded.add(key);
    for (const i of outputs[key]?.imports ?? []) if (i.kind === "import-statement") visit(i.path);
  };
  if (entry === undefined) throw new Error(`esbuild produced no entry chunk for ${file}`);
  visit(entry);
  const byPath = new Map(result.outputFiles.map((f) => [path.relative(root, f.path), f.contents]));
  const code = Buffer.concat([...loaded].map((key) => byPath.get(key) ?? new Uint8Array()));
  return { minified: code.length, gzipped: gzipSync(code, { level: 9 }).length };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let over = 0;
  for (const [entry, { file, budget }] of Object.entries(BUDGETS)) {
    const { minified, gzipped } = await measure(file);
    const ok = gzipped <= budget;
    if (!ok) over++;
    console.log(
      `${ok ? "ok  " : "OVER"} ${entry.padEnd(24)} ${(gzipped / 1024).toFixed(2)} kB min+gzip (${(minified / 1024).toFixed(1)} kB min), budget ${(budget / 1024).toFixed(2)} kB`,
    );
  }
  process.exitCode = over ? 1 : 0;
}

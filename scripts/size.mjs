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
  "enable3-client": { file: "dist/index.js", budget: 16 * 1024 },
  "enable3-client (Node entry)": { file: "dist/index.node.js", budget: 16 * 1024, platform: "node" },
  "enable3-client/callback": { file: "dist/callback.js", budget: 7 * 1024 },
  "enable3-client/widget": { file: "dist/widget.js", budget: 2.5 * 1024 },
  "enable3-client/outbox": { file: "dist/outbox.js", budget: 16 * 1024, platform: "node" },
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
    const { minified, gzipped } = await measure(file, platform);
    const ok = gzipped <= budget;
    if (!ok) over++;
    console.log(
      `${ok ? "ok  " : "OVER"} ${entry.padEnd(28)} ${(gzipped / 1024).toFixed(2)} kB min+gzip (${(minified / 1024).toFixed(1)} kB min), budget ${(budget / 1024).toFixed(2)} kB`,
    );
  }
  process.exitCode = over ? 1 : 0;
}

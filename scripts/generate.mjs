#!/usr/bin/env node
import { watch } from "node:fs";
// @ts-check
// npm run generate [-- --check | --watch] [--fragments DIR] [--spec-dir DIR] [--types-dir DIR]
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { buildOutputs } from "./lib/pipeline.mjs";

const { values } = parseArgs({
  options: {
    fragments: { type: "string", default: "openapi/fragments" },
    "spec-dir": { type: "string", default: "openapi" },
    "types-dir": { type: "string", default: "src/generated" },
    check: { type: "boolean", default: false },
    watch: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (values.help) {
  console.log(`Usage: npm run generate -- [--check | --watch] [--fragments DIR] [--spec-dir DIR] [--types-dir DIR]
  Merges the OpenAPI fragments, validates the result and writes the spec and the TypeScript types.
  --check   write nothing; exit 1 naming every stale file
  --watch   regenerate whenever a fragment changes`);
  process.exit(0);
}

const dirs = { fragmentsDir: values.fragments, specDir: values["spec-dir"], typesDir: values["types-dir"] };

/**
 * @param {string} file
 * @param {string | null} fallback
 */
async function readOr(file, fallback) {
  try {
    return await readFile(file, "utf8");
  } catch {
    return fallback;
  }
}

async function generate() {
  const { outputs, warnings } = await buildOutputs(dirs);
  for (const w of warnings) console.warn(`warning: ${w}`);
  for (const [file, content] of outputs) {
    if ((await readOr(file, null)) === content) continue;
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
    console.log(`wrote ${file}`);
  }
  console.log(`generated ${[...outputs.keys()].join(" and ")}`);
}

async function check() {
  const { outputs } = await buildOutputs(dirs);
  const stale = [];
  for (const [file, content] of outputs) if ((await readOr(file, null)) !== content) stale.push(file);
  if (stale.length) {
    for (const file of stale) console.error(`stale: ${file} differs from what \`npm run generate\` produces`);
    process.exit(1);
  }
  console.log("generated files are up to date");
}

function watchFragments() {
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  let running = Promise.resolve();
  const run = () => (running = running.then(() => generate().catch((e) => console.error(`error: ${e.message}`))));
  run();
  watch(dirs.fragmentsDir, () => {
    // editors write a file in several steps: settle before regenerating
    clearTimeout(timer);
    timer = setTimeout(run, 100);
  });
  console.log(`watching ${dirs.fragmentsDir}`);
}

try {
  if (values.check) await check();
  else if (values.watch) watchFragments();
  else await generate();
} catch (e) {
  console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}

#!/usr/bin/env node
// npm run test:runtimes: checks.mjs in every runtime the README names, against Prism and a scripted
// fault server in Node processes of their own. Writes docs/runtimes.md (a runtime × check table) and
// ends with "N passed, N failed". Every process it starts is stopped, whatever happens.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium as playwright } from "playwright-core";
import { startMockServer } from "../../dist/mock/mock-server.js";
import { chooseChromium } from "../helpers/chromium.mjs";
import { CHECK_NAMES } from "./checks.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const modules = path.join(here, "node_modules");
const KEY = "runtime-key-4c2d9e";
const cleanups = [];
const work = await mkdtemp(path.join(tmpdir(), "enable3-runtimes-"));
cleanups.push(() => rm(work, { recursive: true, force: true }));

/** Runs a command to its end (killed after `timeoutMs`), giving its stdout. */
function run(command, args, { env = {}, timeoutMs = 60_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: here, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (error) => resolve({ code: -1, stdout, stderr: String(error) }));
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function startFaultServer() {
  const child = spawn(process.execPath, [path.join(here, "fault-server.mjs")], { stdio: ["pipe", "pipe", "inherit"] });
  cleanups.push(() => child.kill());
  const line = await new Promise((resolve, reject) => {
    child.stdout.once("data", (d) => resolve(String(d)));
    child.once("exit", (code) => reject(new Error(`the fault server exited (${code})`)));
  });
  return JSON.parse(line).url;
}

/** The results a runtime printed as its last line, or every check failed with the reason it did not run. */
function parse(result, runtime) {
  try {
    const results = JSON.parse(result.stdout.trim().split("\n").at(-1));
    if (Array.isArray(results)) return results;
  } catch {}
  const reason = `${runtime} did not run the checks (exit ${result.code}): ${(result.stderr || result.stdout).trim().slice(-400)}`;
  return CHECK_NAMES.map((name) => ({ name, ok: false, reason }));
}

const firstExisting = (...candidates) => candidates.find((c) => existsSync(c));

async function bundleFor(platform, conditions) {
  const outfile = path.join(work, `sdk-${platform}.mjs`);
  await build({
    entryPoints: [path.join(here, "entry-bundle.mjs")],
    bundle: true,
    format: "esm",
    platform,
    conditions,
    outfile,
    logLevel: "silent",
    nodePaths: [modules],
  });
  return outfile;
}

async function inChromium(bundle, config) {
  const page = createServer(async (req, res) => {
    if (req.url === "/sdk.mjs") return res.writeHead(200, { "content-type": "text/javascript" }).end(await readFile(bundle));
    res
      .writeHead(200, { "content-type": "text/html" })
      .end('<!doctype html><script type="module">import { runAll } from "/sdk.mjs"; window.runAll = runAll;</script>');
  });
  await new Promise((resolve) => page.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise((resolve) => page.close(resolve)));
  const { executablePath, args } = await chooseChromium();
  const browser = await playwright.launch({ executablePath, args, headless: true });
  cleanups.push(() => browser.close());
  const tab = await browser.newPage();
  await tab.goto(`http://127.0.0.1:${page.address().port}/`);
  await tab.waitForFunction(() => typeof window.runAll === "function");
  return tab.evaluate((c) => window.runAll(c), config);
}

const table = {};
let exitCode = 0;
try {
  const prism = await startMockServer();
  cleanups.push(() => prism.stop());
  const faultUrl = await startFaultServer();
  const base = { prismUrl: prism.url, faultUrl };
  const withEnv = { ENABLE3_API_KEY: KEY, ENABLE3_BASE_URL: prism.url };
  const packageEntry = path.join(here, "entry-package.mjs");
  const nodes = { "Node 20.19": "node20", "Node 22": "node22", "Node 24": "node24", "Node 26": "node26" };

  for (const [runtime, pkg] of Object.entries(nodes)) {
    const config = JSON.stringify({ ...base, environment: "set" });
    table[runtime] = parse(await run(path.join(modules, pkg, "bin/node"), [packageEntry, config], { env: withEnv }), runtime);
  }
  const bun = firstExisting(
    path.join(modules, "@oven/bun-linux-x64/bin/bun"),
    path.join(modules, "bun/bin/bun.exe"),
    path.join(modules, "bun/bin/bun"),
  );
  table.Bun = parse(await run(bun ?? "bun", [packageEntry, JSON.stringify({ ...base, environment: "set" })], { env: withEnv }), "Bun");
  // Deno with --allow-net only: the SDK must need neither --allow-env nor --allow-read
  const deno = firstExisting(path.join(modules, "@deno/linux-x64-glibc/deno"), path.join(modules, "deno/deno"));
  table["Deno (--allow-net)"] = parse(
    await run(deno ?? "deno", ["run", "--allow-net", "--no-prompt", packageEntry, JSON.stringify({ ...base, environment: "refused" })], {
      env: withEnv,
    }),
    "Deno",
  );
  const workerBundle = await bundleFor("neutral", ["workerd", "worker", "import"]);
  table["workerd (Miniflare)"] = parse(
    await run(path.join(modules, "node24/bin/node"), [
      path.join(here, "entry-workerd.mjs"),
      workerBundle,
      JSON.stringify({ ...base, environment: "none" }),
    ]),
    "workerd",
  );
  try {
    table.Chromium = await inChromium(await bundleFor("browser", ["browser", "import"]), { ...base, environment: "none" });
  } catch (error) {
    table.Chromium = CHECK_NAMES.map((name) => ({
      name,
      ok: false,
      reason: `Chromium did not run the checks: ${String(error).slice(0, 300)}`,
    }));
  }
} catch (error) {
  console.error(error);
  exitCode = 1;
} finally {
  for (const cleanup of cleanups.reverse())
    await Promise.resolve()
      .then(cleanup)
      .catch(() => {});
}

const runtimes = Object.keys(table);
let passed = 0;
let failed = 0;
const lines = [
  "# Runtimes",
  "",
  "Written by `npm run test:runtimes` (CI runs it on every submission): the same checks (test/runtimes/checks.mjs) in each runtime, against Prism and a scripted",
  "fault server on 127.0.0.1. Node, Bun and Deno load the installed package (each through its export condition: Node gets",
  "the node:http transport, the others fetch); workerd and Chromium load what esbuild bundles for them.",
  "",
  `| check | ${runtimes.join(" | ")} |`,
  `|---|${runtimes.map(() => "---").join("|")}|`,
];
for (const name of CHECK_NAMES) {
  const cells = runtimes.map((runtime) => {
    const result = table[runtime].find((r) => r.name === name);
    if (result?.ok) passed++;
    else failed++;
    return result?.ok ? "yes" : "**no**";
  });
  lines.push(`| ${name} | ${cells.join(" | ")} |`);
}
const failures = runtimes.flatMap((runtime) => table[runtime].filter((r) => !r.ok).map((r) => `- ${runtime}, ${r.name}: ${r.reason}`));
if (failures.length) lines.push("", "## Failures", "", ...failures);
await writeFile(path.join(root, "docs/runtimes.md"), `${lines.join("\n")}\n`);
console.log(lines.slice(6).join("\n"));
if (failures.length) console.log(`\n${failures.join("\n")}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed || exitCode ? 1 : 0);

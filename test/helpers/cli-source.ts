// The `enable3` command built from src/ (bundled by esbuild once per test process: the fast projects
// have no dist/), run as a subprocess: for what the test process cannot show, such as a CA trusted only
// through NODE_EXTRA_CA_CERTS (Node reads it at start-up), or the exit code an operator's shell sees.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { build } from "esbuild";
import type { CliResult } from "./cli.js";
import { ROOT, stopChild } from "./process.js";
import { registerTeardown } from "./teardown.js";

let bundled: Promise<string> | undefined;

function bundle(): Promise<string> {
  bundled ??= (async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "enable3-cli-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    const outfile = path.join(dir, "enable3.mjs");
    await build({
      entryPoints: [path.join(ROOT, "src/cli/main.ts")],
      bundle: true,
      format: "esm",
      platform: "node",
      outfile,
      logLevel: "silent",
    });
    return outfile;
  })();
  return bundled;
}

/** Runs `enable3 …args` from src/ with `env` added to this process's; stopped with the test whatever happens. */
export async function runCliFromSource(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const file = await bundle();
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [file, ...args], { cwd: ROOT, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
    registerTeardown(() => stopChild(child, 1_000));
  });
}

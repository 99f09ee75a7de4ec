// The SDK in a Node process of its own, for what the test process cannot show: a CA trusted only through
// NODE_EXTRA_CA_CERTS (Node reads it at start-up), a low limit of open files (`ulimit -n`), a process
// that must exit on its own. src/ is bundled by esbuild once per test process (the fast projects have
// no dist/). The script is an ES module; it imports the SDK as "enable3-client" (the Node entry) or
// "enable3-client/core" (the core entry, on fetch), and prints its result as the last line of stdout.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { build } from "esbuild";
import { ROOT, stopChild } from "./process.js";
import { registerTeardown } from "./teardown.js";

let bundled: Promise<{ dir: string; node: string; core: string }> | undefined;

function bundles() {
  bundled ??= (async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "enable3-sdk-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    await build({
      entryPoints: { node: path.join(ROOT, "src/index.node.ts"), core: path.join(ROOT, "src/index.ts") },
      bundle: true,
      format: "esm",
      platform: "node",
      outdir: dir,
      outExtension: { ".js": ".mjs" },
      logLevel: "silent",
    });
    return { dir, node: path.join(dir, "node.mjs"), core: path.join(dir, "core.mjs") };
  })();
  return bundled;
}

export interface SdkRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The last line of stdout, parsed as JSON. */
  result: unknown;
}

let scripts = 0;

/** Runs `script` to its end (killed after `timeoutMs`); its process is stopped with the test whatever happens. */
export async function runWithSdk(
  script: string,
  options: { env?: Record<string, string | undefined>; openFiles?: number; timeoutMs?: number } = {},
): Promise<SdkRun> {
  const { dir, node, core } = await bundles();
  const file = path.join(dir, `script-${process.pid}-${++scripts}.mjs`);
  writeFileSync(
    file,
    script.replaceAll('"enable3-client/core"', JSON.stringify(core)).replaceAll('"enable3-client"', JSON.stringify(node)),
  );
  const env = { ...process.env, ...options.env };
  const child =
    options.openFiles === undefined
      ? spawn(process.execPath, [file], { env })
      : spawn("bash", ["-c", `ulimit -n ${options.openFiles} && exec "$0" "$1"`, process.execPath, file], { env });
  registerTeardown(() => stopChild(child, 1_000));
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const kill = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 15_000);
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  clearTimeout(kill);
  let result: unknown;
  try {
    result = JSON.parse(stdout.trim().split("\n").at(-1) ?? "");
  } catch {}
  return { code, stdout, stderr, result };
}

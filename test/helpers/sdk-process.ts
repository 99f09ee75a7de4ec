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
import { TEST_KEY, TRANSPORT } from "./client.js";
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

/**
 * A script making one getUserBalance call and printing its outcome (the balance, or the error's JSON):
 * on `transport` ("node": the Node entry, with `proxy` as its option; "fetch": the core entry, with
 * undici's ProxyAgent as its fetch when there is a proxy, the README's recipe).
 */
export function oneCallScript(
  baseUrl: string,
  { proxy, transport = TRANSPORT, maxRetries = 0 }: { proxy?: string; transport?: string; maxRetries?: number } = {},
): string {
  const options = `apiKey: ${JSON.stringify(TEST_KEY)}, baseUrl: ${JSON.stringify(baseUrl)}, maxRetries: ${maxRetries}, initialDelayMs: 1`;
  const client =
    transport === "node"
      ? `import { createEnable3Client } from "enable3-client";
       const enable3 = createEnable3Client({ ${options}${proxy ? `, proxy: ${JSON.stringify(proxy)}` : ""} });`
      : `import { createEnable3Client } from "enable3-client/core";
       import { fetch as undiciFetch, ProxyAgent } from ${JSON.stringify(`${ROOT}/node_modules/undici/index.js`)};
       ${proxy ? `const dispatcher = new ProxyAgent(${JSON.stringify(proxy)});` : ""}
       const enable3 = createEnable3Client({ ${options}${proxy ? ", fetch: (url, init) => undiciFetch(url, { ...init, dispatcher })" : ""} });`;
  return `${client}
    try {
      const { balance } = await enable3.getUserBalance("u1");
      console.log(JSON.stringify({ ok: true, balance }));
    } catch (error) {
      console.log(JSON.stringify(error));
    }
    await enable3.close();
    process.exit(0);`;
}

// The npm package as operators get it: lint, types resolution, size budgets, and a tarball installed
// offline into a fresh project, imported both ways, type-checked and called against the mock.
import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { publint } from "publint";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ROOT } from "../helpers/process.js";

const exec = promisify(execFile);
const npm = (args: string[], cwd: string) => exec("npm", args, { cwd, maxBuffer: 32 * 1024 * 1024 });

describe("package checks", () => {
  it("publint finds nothing", async () => {
    const { messages } = await publint({ pkgDir: ROOT, level: "suggestion", strict: true });
    expect(messages).toEqual([]);
  }, 60_000);

  it("are-the-types-wrong is clean for an ESM-only package", async () => {
    const attw = path.join(ROOT, "node_modules/@arethetypeswrong/cli/dist/index.js");
    // exits non-zero on any problem the ESM-only profile does not ignore
    const result = await exec(process.execPath, [attw, "--pack", ".", "--profile", "esm-only", "--format", "table-flipped"], { cwd: ROOT, maxBuffer: 32 * 1024 * 1024 }).then(
      (r) => ({ code: 0, out: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    );
    expect(result.out).toContain("node16 (from ESM)");
    expect(result.out.split("\n").filter((l) => /[❌💀⚠️]/u.test(l) && !l.includes("(ignored per resolution)") && !l.includes("│"))).toEqual([]);
    expect(result.code).toBe(0);
  }, 90_000);

  it("every entry is within its size budget (min+gzip, dependencies bundled)", async () => {
    const sizeScript: string = path.join(ROOT, "scripts/size.mjs");
    const { BUDGETS, measure } = await import(sizeScript);
    for (const [entry, { file, budget }] of Object.entries(BUDGETS as Record<string, { file: string; budget: number }>)) {
      const { gzipped } = (await measure(file)) as { gzipped: number };
      expect(gzipped, `${entry} is ${gzipped} bytes`).toBeLessThanOrEqual(budget);
      expect(gzipped).toBeGreaterThan(500); // really measured a bundle
    }
  }, 60_000);

  it("the core entry imports nothing Node-only", async () => {
    const { build } = await import("esbuild");
    // platform "neutral" with no Node built-ins resolvable: a node: import would fail the build
    const bundle = (file: string) => build({ entryPoints: [path.join(ROOT, file)], bundle: true, platform: "neutral", write: false, logLevel: "silent" });
    await expect(bundle("dist/index.js")).resolves.toBeTruthy();
    await expect(bundle("dist/callback.js")).resolves.toBeTruthy();
    await expect(bundle("dist/widget.js")).resolves.toBeTruthy();
    await expect(bundle("dist/node.js")).rejects.toThrow(/node:/); // the check does catch a Node import
  });
});

describe("tarball smoke test", () => {
  let dir: string;
  let tarball: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "enable3-pack-"));
    const { stdout } = await npm(["pack", "--json", "--pack-destination", dir], ROOT);
    tarball = path.join(dir, JSON.parse(stdout)[0].filename);
  }, 60_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("holds dist, src (for the declaration maps), the merged spec, README, LICENSE, CHANGELOG and nothing else", async () => {
    const { stdout } = await exec("tar", ["-tzf", tarball]);
    const files = stdout.trim().split("\n").map((f) => f.replace(/^package\//, ""));
    const unexpected = files.filter(
      (f) => !/^(dist|src)\//.test(f) && !["openapi/enable3.openapi.json", "README.md", "LICENSE", "CHANGELOG.md", "package.json"].includes(f),
    );
    expect(unexpected).toEqual([]);
    for (const f of ["dist/index.js", "dist/index.d.ts", "dist/index.d.ts.map", "dist/callback.js", "dist/cli/main.js", "openapi/enable3.openapi.json", "LICENSE", "CHANGELOG.md", "README.md"]) {
      expect(files).toContain(f);
    }
    expect(files.some((f) => f.startsWith("test/") || f.includes(".test."))).toBe(false);
  });

  it("installs offline, imports with import and require(), type-checks a consumer, and calls the mock", async () => {
    const project = path.join(dir, "consumer");
    await exec("mkdir", ["-p", project]);
    await writeFile(path.join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    await npm(["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", tarball], project);
    expect(await readdir(path.join(project, "node_modules/enable3-client/dist"))).toContain("index.js");

    const esm = await exec(process.execPath, ["--input-type=module", "-e", "const m = await import('enable3-client'); const c = await import('enable3-client/callback'); console.log(typeof m.createEnable3Client, typeof c.verifyCallbackSignature)"], { cwd: project });
    expect(esm.stdout.trim()).toBe("function function");
    const cjs = await exec(process.execPath, ["-e", "const m = require('enable3-client'); console.log(typeof m.createEnable3Client, typeof m.Enable3Error)"], { cwd: project });
    expect(cjs.stdout.trim()).toBe("function function");

    await writeFile(
      path.join(project, "consumer.ts"),
      `import { createEnable3Client, Enable3Error, type UserBalance } from "enable3-client";
import { parseWithdrawalCallback } from "enable3-client/callback";
import { createWidgetCache } from "enable3-client/widget";
const enable3 = createEnable3Client({ apiKey: "k", baseUrl: process.argv[2]! });
const balance: UserBalance = await enable3.getUserBalance("player-42");
const widgets = createWidgetCache(enable3);
const { expiresAt } = await widgets.getWidgetUrl("player-42", { referralCode: "R" });
// @ts-expect-error value must be a number
void (() => enable3.sendEvent({ userId: "u", eventId: "e", value: "1" }));
void parseWithdrawalCallback;
console.log(JSON.stringify({ balance: balance.balance, expires: expiresAt.getUTCFullYear(), isError: new Enable3Error("x") instanceof Error }));
`,
    );
    await writeFile(
      path.join(project, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, skipLibCheck: false, lib: ["ES2022", "DOM"], types: [], outDir: "out" }, files: ["consumer.ts", "node.d.ts"] }),
    );
    // the consumer's own use of process.argv, not the package's, needs these two lines
    await writeFile(path.join(project, "node.d.ts"), "declare const process: { argv: string[] };\n");
    const tsc = path.join(ROOT, "node_modules/typescript/bin/tsc");
    const typecheck = await exec(process.execPath, [tsc, "-p", project]).then(() => "", (e: { stdout: string }) => e.stdout);
    expect(typecheck).toBe("");

    const run = await exec(process.execPath, [path.join(project, "out/consumer.js"), inject("prismUrl")], { cwd: project });
    expect(JSON.parse(run.stdout)).toEqual({ balance: "125.50", expires: 2100, isError: true });
  }, 120_000);
});

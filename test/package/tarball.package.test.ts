// The tarball as operators get it, packed from a clean copy (no dist/: prepack builds it): installed into a fresh project with no network and an empty npm
// cache, imported both ways, type-checked strictly and called against the mock. The consumer gets the
// runtime dependencies packed from this project's own node_modules (as the lockfile pinned them), so
// the install never depends on what the machine's npm cache happens to hold.
import { execFile } from "node:child_process";
import { mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { codeBlocks, docFiles, relativeLinks, shippedDocFiles } from "../helpers/doc-blocks.js";
import { ROOT } from "../helpers/process.js";
import { copyProject } from "../helpers/project-copy.js";
import { makeTempDir } from "../helpers/temp-dir.js";

const exec = promisify(execFile);
const npm = (args: string[], cwd: string) => exec("npm", args, { cwd, maxBuffer: 32 * 1024 * 1024 });

/** `npm pack` of an installed dependency, into `dir` (its scripts not run); returns the tarball's path. */
async function pack(source: string, dir: string): Promise<string> {
  const { stdout } = await npm(["pack", source, "--json", "--ignore-scripts", "--pack-destination", dir], ROOT);
  return path.join(dir, JSON.parse(stdout)[0].filename);
}

/** `npm pack` as a maintainer runs it in a fresh clone (no dist/): its prepack script builds. */
async function packClean(dir: string): Promise<string> {
  const clean = await copyProject("enable3-clean");
  const { stdout } = await npm(["pack", "--json", "--pack-destination", dir], clean);
  return path.join(dir, JSON.parse(stdout.slice(stdout.indexOf("[")))[0].filename);
}

/** Packages the documentation's recipes import that are the operator's own (dev dependencies here), linked into the consumer for the type-check. */
const RECIPE_PACKAGES = ["pg", "@types/pg", "undici", "fastify", "hono", "express"];

/** The packages the lockfile installs for production (not dev): what an operator's install pulls in. */
async function runtimeDependencies(): Promise<string[]> {
  const lock = JSON.parse(await readFile(path.join(ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
  };
  return Object.entries(lock.packages)
    .filter(([where, entry]) => where !== "" && !entry.dev && !entry.devOptional)
    .map(([where]) => where.slice(where.lastIndexOf("node_modules/") + "node_modules/".length));
}

describe("tarball smoke test", () => {
  let dir: string;
  let tarball: string;
  // the pack builds (prepack): ~14 s of CPU, started with the run's other longest files (setup/longest-first.ts)
  // on a 2-core machine, so several times that in wall time; the bound only catches a hang
  beforeAll(async () => {
    dir = await makeTempDir("enable3-pack");
    tarball = await packClean(dir);
  }, 300_000);

  async function packedFiles(): Promise<string[]> {
    const { stdout } = await exec("tar", ["-tzf", tarball]);
    return stdout
      .trim()
      .split("\n")
      .map((f) => f.replace(/^package\//, ""));
  }

  it("holds dist, src (for the declaration maps), the merged spec, the docs pages and the screenshot they show, the examples, README, LICENSE, CHANGELOG and nothing else", async () => {
    const files = await packedFiles();
    const unexpected = files.filter(
      (f) =>
        !/^(dist|src|examples)\/|^docs\/[^/]+\.md$/.test(f) &&
        !["openapi/enable3.openapi.json", "docs/ops-page.png", "README.md", "LICENSE", "CHANGELOG.md", "package.json"].includes(f),
    );
    expect(unexpected).toEqual([]);
    for (const f of [
      "dist/index.js",
      "dist/index.d.ts",
      "dist/index.d.ts.map",
      "dist/callback.js",
      "dist/cli/main.js",
      "openapi/enable3.openapi.json",
      "LICENSE",
      "CHANGELOG.md",
      "README.md",
    ]) {
      expect(files).toContain(f);
    }
    expect(files.some((f) => f.startsWith("test/") || f.includes(".test."))).toBe(false);
  });

  it("holds every file or folder the README and docs/*.md link to relatively, so no link breaks in node_modules", async () => {
    const files = await packedFiles();
    const links = shippedDocFiles().flatMap(relativeLinks);
    expect(links.length).toBeGreaterThan(20);
    const missing = links.filter((l) => !files.some((f) => f === l.target || f.startsWith(`${l.target}/`)));
    expect(missing.map((l) => `${l.file}: ${l.href}`)).toEqual([]);
  });

  // The two tests that install the tarball and type-check a consumer (skipLibCheck off) are a minute of
  // CPU; they run beside the other longest files (setup/longest-first.ts): 300 s bounds only catch a hang.
  /** The consumer project with the tarball installed, made once for the tests that need it. */
  let installed: Promise<string> | undefined;
  const consumer = () => (installed ??= install());
  async function install(): Promise<string> {
    const project = path.join(dir, "consumer");
    await mkdir(project);
    const dependencies = await runtimeDependencies();
    expect(dependencies).toContain("openapi-fetch");
    // every runtime dependency as a local tarball, pinned for the whole tree by `overrides`
    const overrides = Object.fromEntries(
      await Promise.all(dependencies.map(async (name) => [name, `file:${await pack(path.join(ROOT, "node_modules", name), dir)}`])),
    );
    await writeFile(
      path.join(project, "package.json"),
      JSON.stringify({ name: "consumer", private: true, type: "module", dependencies: { "enable3-client": `file:${tarball}` }, overrides }),
    );
    const emptyCache = path.join(dir, "empty-npm-cache");
    await npm(["install", "--offline", "--cache", emptyCache, "--no-audit", "--no-fund", "--ignore-scripts"], project);
    return project;
  }

  /**
   * One strict type-check (exactOptionalPropertyTypes too) of everything a consumer writes: a small
   * program, every ts and js block of the README and docs/*.md (js with checkJs), and a raw call on each
   * path of the README's method table.
   */
  let compiling: ReturnType<typeof compile> | undefined;
  const compiled = () => (compiling ??= compile());
  async function compile() {
    const project = await consumer();
    await writeFile(
      path.join(project, "consumer.ts"),
      `import { createEnable3Client, Enable3Error, type UserBalance } from "enable3-client";
import { parseWithdrawalCallback } from "enable3-client/callback";
import { createWidgetCache } from "enable3-client/widget";
const enable3 = createEnable3Client({ apiKey: "k", baseUrl: process.argv[2] });
const balance: UserBalance = await enable3.getUserBalance("player-42");
const widgets = createWidgetCache(enable3);
const { expiresAt } = await widgets.getWidgetUrl("player-42", { referralCode: "R" });
// @ts-expect-error value must be a number
void (() => enable3.sendEvent({ userId: "u", eventId: "e", value: "1" }));
void parseWithdrawalCallback;
console.log(JSON.stringify({ balance: balance.balance, expires: expiresAt.getUTCFullYear(), isError: new Enable3Error("x") instanceof Error }));
`,
    );
    const readme = await readFile(path.join(ROOT, "README.md"), "utf8");
    const blocks = docFiles()
      .flatMap(codeBlocks)
      .filter((b) => /^(ts|js)\b/.test(b.info))
      .map((b) => ({
        file: `${b.file.replace(/\.md$/, "").replace(/\W/g, "-")}-${b.line}.${b.info.startsWith("ts") ? "ts" : "mjs"}`,
        from: `${b.file}:${b.line}`,
        runnable: b.info.endsWith(" runnable"),
        code: b.code,
      }));
    const rows = [...readme.matchAll(/^\| `\w+\(.*?\)`[^|]* \| `(GET|POST|DELETE) (\/api\/[^`]+)` \|/gm)].map(
      (m) => [m[1]!, m[2]!] as const,
    );
    await mkdir(path.join(project, "readme"));
    for (const block of blocks) {
      await writeFile(path.join(project, "readme", block.file), block.file.endsWith(".ts") ? `${block.code}\nexport {};\n` : block.code);
    }
    // express 5 ships no types (a JS project needs none; TypeScript users add @types/express)
    await writeFile(path.join(project, "readme", "untyped-modules.d.ts"), `declare module "express";\n`);
    for (const name of RECIPE_PACKAGES) {
      await mkdir(path.dirname(path.join(project, "node_modules", name)), { recursive: true });
      await symlink(path.join(ROOT, "node_modules", name), path.join(project, "node_modules", name), "dir");
    }
    await writeFile(
      path.join(project, "readme", "method-paths.ts"),
      `import { createEnable3Client } from "enable3-client";\nconst raw = createEnable3Client({ apiKey: "k" }).raw;\n${rows.map(([method, p]) => `void raw.${method}(${JSON.stringify(p)}, {} as never);`).join("\n")}\nexport {};\n`,
    );
    await writeFile(
      path.join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: false,
          lib: ["ES2022", "DOM", "DOM.Iterable"],
          allowJs: true,
          checkJs: true,
          types: ["node"],
          typeRoots: [path.join(ROOT, "node_modules/@types")],
          outDir: "out",
          rootDir: ".",
        },
        include: ["consumer.ts", "readme/*.ts", "readme/*.mjs"],
      }),
    );
    const tsc = path.join(ROOT, "node_modules/typescript/bin/tsc");
    const typecheck = await exec(process.execPath, [tsc, "-p", project]).then(
      () => "",
      (e: { stdout: string }) => e.stdout,
    );
    return { project, typecheck, blocks: blocks.map(({ file, from, runnable }) => ({ file, from, runnable })), rows };
  }

  it("installs offline with an empty cache, imports with import and require(), type-checks a consumer, and calls the mock", async () => {
    const project = await consumer();
    expect(await readdir(path.join(project, "node_modules/enable3-client/dist"))).toContain("index.js");

    const esm = await exec(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        "const m = await import('enable3-client'); const c = await import('enable3-client/callback'); console.log(typeof m.createEnable3Client, typeof c.verifyCallbackSignature)",
      ],
      { cwd: project },
    );
    expect(esm.stdout.trim()).toBe("function function");
    const cjs = await exec(
      process.execPath,
      ["-e", "const m = require('enable3-client'); console.log(typeof m.createEnable3Client, typeof m.Enable3Error)"],
      { cwd: project },
    );
    expect(cjs.stdout.trim()).toBe("function function");

    const { typecheck } = await compiled();
    expect(typecheck).toBe("");
    const run = await exec(process.execPath, [path.join(project, "out/consumer.js"), inject("prismUrl")], { cwd: project });
    expect(JSON.parse(run.stdout)).toEqual({ balance: "125.50", expires: 2100, isError: true });
  }, 300_000);

  it("every enable3 command in the documentation's sh blocks exists in the installed bin, and its --help names each flag shown", async () => {
    const bin = path.join(await consumer(), "node_modules/enable3-client/dist/cli/main.js");
    const uses = new Map<string, Set<string>>();
    for (const block of docFiles()
      .flatMap(codeBlocks)
      .filter((b) => b.info === "sh")) {
      for (const line of block.code.split("\n")) {
        const use = /(?:^|\s)enable3 ([a-z-]+)(.*)$/.exec(line.replace(/\s#.*$/, ""));
        if (use) uses.set(use[1]!, new Set([...(uses.get(use[1]!) ?? []), ...(use[2]!.match(/--[a-z-]+/g) ?? [])]));
      }
    }
    expect([...uses.keys()]).toEqual(expect.arrayContaining(["balance", "event", "import", "callback", "doctor", "mock", "mcp"]));
    for (const [command, flags] of uses) {
      const { stdout } = await exec(process.execPath, [bin, ...(command.startsWith("--") ? [command] : [command, "--help"])]);
      for (const flag of flags) expect(stdout, `enable3 ${command} ${flag}`).toMatch(new RegExp(`${flag}(?![a-z-])`));
    }
  }, 60_000);

  it("every ts and js block of the README and docs/*.md type-checks (strict, exactOptionalPropertyTypes); the runnable ones run against the mock (js ones as saved); the method table's paths compile in raw calls", async () => {
    const { project, typecheck, blocks, rows } = await compiled();
    expect(blocks.length).toBeGreaterThanOrEqual(20);
    expect(blocks.filter((b) => b.runnable).length).toBeGreaterThanOrEqual(5);
    expect(rows).toHaveLength(8);
    expect(typecheck).toBe("");
    for (const block of blocks.filter((b) => b.runnable)) {
      // a js block runs as the reader saves it; a ts block as tsc compiled it
      const file = block.file.endsWith(".mjs")
        ? path.join(project, "readme", block.file)
        : path.join(project, "out", "readme", block.file.replace(/\.ts$/, ".js"));
      const run = await exec(process.execPath, [file], {
        cwd: project,
        env: { ...process.env, ENABLE3_BASE_URL: inject("prismUrl"), ENABLE3_API_KEY: "any-key" },
      });
      expect(run.stdout, block.from).not.toBe("");
    }
  }, 300_000);
});

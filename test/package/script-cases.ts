// The package.json scripts' cases (scripts.package.test.ts and scripts-compiler.package.test.ts run
// them): each in a copy of the project (so its build never rewrites the dist/ other tests are reading).
// Scripts that start with the build run it once per copy, as `npm run build`, and then the rest of
// their command as npm would (`npm exec -c`): the same commands, without more builds.
import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "vitest";
import { ROOT } from "../helpers/process.js";

const exec = promisify(execFile);
export const { scripts } = JSON.parse(await readFile(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };

export interface Case {
  args?: string[];
  env?: Record<string, string>;
  /** What the output must show beyond a zero exit code. */
  shows: RegExp;
  /** What must hold in the copy afterwards. */
  afterwards?: (copy: string) => Promise<void>;
}

/** `test` and `test:fast` are not run from inside the suite: their projects are checked instead. */
export const RUNS_THE_SUITE = ["test", "test:fast"];
/** Run by .ci/run after the suite (it installs runtimes of its own): here, only that it points at real files. */
export const RUN_BY_CI = ["test:runtimes"];
/** Run by `npm pack` itself: tarball.package.test.ts packs a clean copy, so the build it runs is tested there. */
export const RUN_BY_PACK = ["prepack"];
export const CASES: Record<string, Case> = {
  generate: { args: ["--", "--check"], shows: /generated files are up to date/ },
  lint: { shows: /Checked \d+ files/ },
  // run by `npm version` after the bump: writes package.json's version into src/internal/version.ts
  version: {
    shows: /src\/internal\/version\.ts: \d+\.\d+\.\d+/,
    afterwards: async (copy) =>
      expect(await readFile(path.join(copy, "src/internal/version.ts"), "utf8")).toBe(
        await readFile(path.join(ROOT, "src/internal/version.ts"), "utf8"),
      ),
  },
  build: { shows: /> tsc -p tsconfig.build.json/ },
  start: { shows: /8 of 8 operations/ },
  typecheck: { shows: /^(?![\s\S]*error TS)/ },
  // every export documented (typedoc.json makes a validation warning an error), and docs/api current
  docs: {
    shows: /^(?![\s\S]*\[(warning|error)\])/,
    afterwards: async (copy) =>
      expect(await filesUnder(path.join(copy, "docs/api")), "run npm run docs and commit docs/api").toEqual(
        await filesUnder(path.join(ROOT, "docs/api")),
      ),
  },
  // attw --pack runs `npm pack`, whose prepack would build a third time: the build above made dist/, and
  // tarball.package.test.ts proves prepack's build in a clean copy
  "check:package": { env: { npm_config_ignore_scripts: "true" }, shows: /node16 \(from ESM\)[\s\S]*🟢/u },
  size: { shows: /^ok +enable3-client +\d+\.\d+ kB[\s\S]*^ok +enable3-client\/callback[\s\S]*^ok +enable3-client\/widget/m },
  bench: {
    env: {
      BENCH_ROUNDS: "1",
      BENCH_CALLS: "5",
      BENCH_WARMUP: "5",
      BENCH_BULK_EVENTS: "300",
      BENCH_BULK_SECONDS: "0.02",
      BENCH_COLD_RUNS: "1",
      BENCH_CLI_LINES: "300",
      BENCH_OTEL_ROUNDS: "1",
      BENCH_OTEL_CALLS: "5",
      BENCH_BULK_ROUNDS: "1",
      BENCH_PROFILE_EVENTS: "300",
      BENCH_OUTBOX_ENQUEUES: "200",
      BENCH_OUTBOX_DELIVER: "100",
      BENCH_OUTBOX_ROUNDS: "1",
      BENCH_OUTBOX_PG_EVENTS: "100",
      BENCH_OUTBOX_PG_WORKERS: "2",
      BENCH_OUTBOX_TX: "5",
      BENCH_OUTBOX_PENDING: "200",
      BENCH_OUTBOX_PEERS: "100",
      BENCH_ORDERED_RECORDS: "100",
      BENCH_ORDERED_USERS: "50",
      BENCH_ORDERED_ROUNDS: "1",
      BENCH_CLAIM_ROWS: "2000",
      BENCH_CLAIM_KEYS: "200",
      BENCH_CLAIM_STUCK: "200",
      BENCH_CLAIM_ROUNDS: "1",
      BENCH_LATENCY_EVENTS: "20",
    },
    shows: /## Targets/,
  },
};

/** The cases that run the TypeScript compiler over the whole project (minutes of CPU): a file of their own, so they run beside the others. */
export const COMPILER_CASES = ["typecheck", "docs"];

const BUILD_FIRST = "npm run build --silent && ";
/** Copies whose dist/ is built (by the build case, or given by their file). */
const built = new Set<string>();

/** Marks `copy` as holding a dist/ of its sources: build-first scripts skip their build there. */
export function markBuilt(copy: string): void {
  built.add(copy);
}

/** Every file under `dir`, by relative path, with its text. */
async function filesUnder(dir: string): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile())
      found[path.relative(dir, path.join(entry.parentPath, entry.name))] = await readFile(path.join(entry.parentPath, entry.name), "utf8");
  }
  return found;
}

/** Runs script `name` in `copy` as its case says and checks what the case asks. */
export async function runCase(copy: string, name: string): Promise<void> {
  const { args = [], env = {}, shows, afterwards } = CASES[name]!;
  const out = path.join(copy, "bench-out.md");
  const afterBuild = scripts[name]!.startsWith(BUILD_FIRST) ? scripts[name]!.slice(BUILD_FIRST.length) : undefined;
  // run alone (-t), a build-first script still gets its build
  if (afterBuild !== undefined && !built.has(copy))
    await exec("npm", ["run", "build", "--silent"], { cwd: copy }).then(() => built.add(copy));
  const command = afterBuild === undefined ? ["run", name, ...args] : ["exec", "-c", [afterBuild, ...args].join(" ")];
  const result = await exec("npm", command, {
    cwd: copy,
    env: { ...process.env, BENCH_OUT: out, ...env },
    maxBuffer: 32 * 1024 * 1024,
  }).then(
    (r) => ({ code: 0, output: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, output: e.stdout + e.stderr }),
  );
  expect(result.output).toMatch(shows);
  expect(result.code, result.output).toBe(0);
  await afterwards?.(copy);
  if (name === "build") built.add(copy);
}

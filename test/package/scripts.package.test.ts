// Every package.json script works as a contributor runs it, in a copy of the project (script-cases.ts
// says how each is run and checked); a script added without a case fails the first test. The compiler's
// cases run in scripts-compiler.package.test.ts, beside these.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/process.js";
import { copyProject } from "../helpers/project-copy.js";
import { CASES, COMPILER_CASES, RUN_BY_CI, RUN_BY_PACK, RUNS_THE_SUITE, runCase, scripts } from "./script-cases.js";

let copy: string;
beforeAll(async () => {
  copy = await copyProject("enable3-scripts");
}, 60_000);

describe("package.json scripts", () => {
  it("every script has a case here", () => {
    expect(Object.keys(scripts).sort()).toEqual([...Object.keys(CASES), ...RUNS_THE_SUITE, ...RUN_BY_CI, ...RUN_BY_PACK].sort());
    for (const name of COMPILER_CASES) expect(Object.keys(CASES)).toContain(name);
  });

  // a case is up to a minute of CPU (the compiler, the benchmark): on a 2-core machine shared with the
  // rest of the suite (or more) its wall time is several times that; the bound only catches a hang
  it.each(Object.keys(CASES).filter((name) => !COMPILER_CASES.includes(name)))("npm run %s", (name) => runCase(copy, name), 600_000);

  it.each(RUN_BY_CI)("npm run %s points at files that exist, and .ci/run runs it", async (name) => {
    const files = [...scripts[name]!.matchAll(/(?:--prefix |node )(\S+)/g)].map((m) => m[1]!);
    expect(files).toEqual(["test/runtimes", "test/runtimes/run.mjs"]);
    for (const file of files)
      await expect(readFile(path.join(ROOT, file, file.endsWith(".mjs") ? "" : "package-lock.json"))).resolves.toBeTruthy();
    expect(await readFile(path.join(ROOT, ".ci/run"), "utf8")).toContain(`npm run ${name}`);
  });

  it.each(RUNS_THE_SUITE)("npm run %s names only projects the vitest config defines", async (name) => {
    const config = await readFile(path.join(ROOT, "vitest.config.ts"), "utf8");
    const defined = [...config.matchAll(/name: "([\w-]+)"/g)].map((m) => m[1]);
    expect(scripts[name]).toMatch(/^vitest run/);
    for (const [, project] of scripts[name]!.matchAll(/--project (\S+)/g)) expect(defined).toContain(project);
  });
});

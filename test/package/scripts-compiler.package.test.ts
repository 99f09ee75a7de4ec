// The package.json scripts that run the TypeScript compiler over the whole project (typecheck, docs),
// each as script-cases.ts says, in a copy of their own: a worker beside scripts.package.test.ts's. The
// copy gets the dist/ this run built (setup/build.ts, the build script's command on the same sources)
// for typecheck's build step; the build script itself is run by scripts.package.test.ts.
import { cp } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, it } from "vitest";
import { ROOT } from "../helpers/process.js";
import { copyProject } from "../helpers/project-copy.js";
import { COMPILER_CASES, markBuilt, runCase } from "./script-cases.js";

let copy: string;
beforeAll(async () => {
  copy = await copyProject("enable3-compiler-scripts");
  await cp(path.join(ROOT, "dist"), path.join(copy, "dist"), { recursive: true });
  markBuilt(copy);
}, 60_000);

describe("package.json scripts that run the compiler", () => {
  // a case is up to a minute of CPU (the compiler, the benchmark): on a 2-core machine shared with the
  // rest of the suite (or more) its wall time is several times that; the bound only catches a hang
  it.each(COMPILER_CASES)("npm run %s", (name) => runCase(copy, name), 600_000);
});

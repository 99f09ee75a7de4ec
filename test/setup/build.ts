// Builds dist/ once per run, for the projects whose tests run the built code as users do (the CLI,
// the examples, the package). Several projects list this setup; the build runs once per process.
// A dist/ written after every file the build reads was last changed is used as it is: CI's `npm start`
// builds it just before `npm test`, and a second build of the same sources costs the run 14 s of CPU.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const BUILT = Symbol.for("enable3-client.test.dist-built");

/** The modification times (ms) of every file under `dir`. */
function mtimes(dir: string): number[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
}

/** True when dist/ exists and its oldest file is newer than the newest of src/ and the tsconfigs. */
function distIsCurrent(root: string): boolean {
  if (!existsSync(path.join(root, "dist/index.js"))) return false;
  const inputs = [
    ...mtimes(path.join(root, "src")),
    ...["tsconfig.json", "tsconfig.build.json"].map((f) => statSync(path.join(root, f)).mtimeMs),
  ];
  return Math.min(...mtimes(path.join(root, "dist"))) > Math.max(...inputs);
}

export default function setup() {
  const state = globalThis as { [BUILT]?: true };
  if (state[BUILT]) return;
  const root = path.resolve(import.meta.dirname, "../..");
  if (!distIsCurrent(root))
    execFileSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", path.join(root, "tsconfig.build.json")], {
      cwd: root,
      stdio: "inherit",
    });
  state[BUILT] = true;
}

// Builds dist/ once per run, for the projects whose tests run the built code as users do (the CLI,
// the examples, the package). Several projects list this setup; the build runs once per process.
// A dist/ written after every file the build reads was last changed is used as it is: CI's `npm start`
// builds it just before `npm test`, and a second build of the same sources costs the run 14 s of CPU.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const BUILT = Symbol.for("enable3-client.test.dist-built");

/** Every file under `dir`, as full paths. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

const mtime = (file: string) => statSync(file).mtimeMs;

/**
 * True when each source's dist/ output exists and the oldest of them is newer than the newest of src/
 * and the tsconfigs. Only the current sources' outputs count: the build never empties dist/, so a
 * deleted source's old output stays there, and would otherwise make every run build again.
 */
function distIsCurrent(root: string): boolean {
  const sources = filesUnder(path.join(root, "src"));
  const outputs = sources
    .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))
    .map((file) => path.join(root, "dist", path.relative(path.join(root, "src"), file)).replace(/\.ts$/, ".js"));
  if (!outputs.every((file) => existsSync(file))) return false;
  const inputs = [...sources, ...["tsconfig.json", "tsconfig.build.json"].map((f) => path.join(root, f))];
  return Math.min(...outputs.map(mtime)) > Math.max(...inputs.map(mtime));
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

// Builds dist/ once per run, for the projects whose tests run the built code as users do (the CLI,
// the examples, the package). Several projects list this setup; the build runs once per process.
import { execFileSync } from "node:child_process";
import path from "node:path";

const BUILT = Symbol.for("enable3-client.test.dist-built");

export default function setup() {
  const state = globalThis as { [BUILT]?: true };
  if (state[BUILT]) return;
  const root = path.resolve(import.meta.dirname, "../..");
  execFileSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", path.join(root, "tsconfig.build.json")], {
    cwd: root,
    stdio: "inherit",
  });
  state[BUILT] = true;
}

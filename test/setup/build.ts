// Builds dist/ once per run: the examples, the CLI and the package tests run the built code, as users do.
import { execFileSync } from "node:child_process";
import path from "node:path";

export default function setup() {
  const root = path.resolve(import.meta.dirname, "../..");
  execFileSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", path.join(root, "tsconfig.build.json")], {
    cwd: root,
    stdio: "inherit",
  });
}

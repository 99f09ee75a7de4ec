// The whole project (sources, tests, examples) type-checks in strict mode.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

it("tsc --noEmit passes", async () => {
  const tsc = path.join(root, "node_modules/typescript/bin/tsc");
  const result = await promisify(execFile)(process.execPath, [tsc, "--noEmit", "-p", root]).then(
    () => "",
    (e: { stdout: string }) => e.stdout,
  );
  expect(result).toBe("");
}, 60_000);

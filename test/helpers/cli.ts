// Runs the built `enable3` command as a subprocess, as an operator would. A run still going when its
// test ends (a timeout) is killed then.
import { execFile } from "node:child_process";
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
    const child = execFile(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
    registerTeardown(() => stopChild(child));
    if (input !== undefined) child.stdin!.end(input);
  });
}

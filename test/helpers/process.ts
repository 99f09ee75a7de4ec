// Runs a script of ours as a user would (a real subprocess) and waits for it to say it is listening.
// The process is registered for teardown the moment it is spawned, so a failed start or a failed
// test never leaves it running.
import { type ChildProcess, type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import path from "node:path";
import { registerTeardown } from "./teardown.js";

export const ROOT = path.resolve(import.meta.dirname, "../..");

export interface Started {
  url: string;
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  stop(): Promise<void>;
}

/** SIGTERM, then SIGKILL if it is still there after `graceMs`; resolves once it has exited. */
export function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

export async function startScript(script: string, env: Record<string, string>, ready = /on (http:\/\/\S+?)\/?(\s|$)/): Promise<Started> {
  const child = spawn(process.execPath, [path.join(ROOT, script)], { cwd: ROOT, env: { ...process.env, PORT: "0", ...env } });
  const stop = registerTeardown(() => stopChild(child));
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}:\n${output}`)));
    child.once("error", reject);
  });
  return { url, child, output: () => output, stop };
}

// Runs a script of ours as a user would (a real subprocess) and waits for it to say it is listening.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");

export interface Started {
  url: string;
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  stop(): Promise<void>;
}

export async function startScript(script: string, env: Record<string, string>, ready = /on (http:\/\/\S+?)\/?(\s|$)/): Promise<Started> {
  const child = spawn(process.execPath, [path.join(ROOT, script)], { cwd: ROOT, env: { ...process.env, PORT: "0", ...env } });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}:\n${output}`)));
  });
  return {
    url,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

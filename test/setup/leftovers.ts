// Marks every process the suite starts (an environment variable children inherit) and fails the run
// when one of them is still alive at the end, after killing it. Reads /proc: Linux, as CI is.
import { randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";

export const RUN_MARKER = "ENABLE3_TEST_RUN";

/** Processes other than this one whose environment carries this run's marker. */
export function markedProcesses(marker: string): { pid: number; command: string }[] {
  if (!existsSync("/proc/self/environ")) return [];
  const needle = `${RUN_MARKER}=${marker}\0`;
  const found: { pid: number; command: string }[] = [];
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${pid}/environ`, "latin1").includes(needle)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
      if (/^\d+ \(.*\) Z /s.test(stat)) continue; // a zombie has exited; only its parent's wait is missing
      found.push({ pid, command: readFileSync(`/proc/${pid}/cmdline`, "latin1").replace(/\0/g, " ").trim() });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

export default function setup() {
  const marker = randomUUID();
  process.env[RUN_MARKER] = marker;
  return async () => {
    // give processes stopped in the last teardowns a moment to exit
    let left = markedProcesses(marker);
    for (let waited = 0; left.length > 0 && waited < 3_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      left = markedProcesses(marker);
    }
    if (left.length === 0) return;
    for (const { pid } of left) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
    // vitest only logs an error thrown here, so the exit code is set by hand
    process.stderr.write(
      `\nFAIL: the suite left ${left.length} process(es) running (now killed):\n${left.map((p) => `  ${p.pid} ${p.command}`).join("\n")}\n`,
    );
    process.exitCode = 1;
  };
}

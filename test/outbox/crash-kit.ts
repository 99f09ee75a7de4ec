// For the kill -9 tests: a recording server that notes under which ids each event arrived, and fixture
// processes (test/fixtures/outbox, on the built package) whose output lines are collected as they come.
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { ROOT } from "../helpers/process.js";
import { registerTeardown } from "../helpers/teardown.js";

/** Ids each event (by its userId and value) was delivered under. Answers after 0–3 ms; `hold` keeps some requests unanswered. */
export async function recordingServer(options: { failRate?: number; hold?: (headers: Record<string, unknown>) => boolean } = {}) {
  const idsOf = new Map<string, Set<string>>();
  const server = await startScriptedServer((req, res) => {
    if (options.hold?.(req.headers)) return; // never answered: the caller dies with it in flight
    const body = JSON.parse(req.body) as { id: string; userId: string; value: number };
    if (Math.random() < (options.failRate ?? 0)) return reply(res, 503);
    const key = `${body.userId}-${body.value}`;
    idsOf.set(key, (idsOf.get(key) ?? new Set()).add(body.id));
    server.later(Math.floor(Math.random() * 4), () => reply(res, 201));
  });
  return { server, idsOf };
}

export interface Fixture {
  child: ChildProcess;
  lines: string[];
  /** Resolves when a line matching `pattern` has been printed. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill9(): Promise<void>;
  stderr(): string;
}

export function startFixture(name: string, args: string[]): Fixture {
  const child = spawn(process.execPath, [path.join(ROOT, "test/fixtures/outbox", name), ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stop = registerTeardown(() => (child.exitCode === null && child.signalCode === null ? kill9() : undefined));
  const lines: string[] = [];
  let rest = "";
  let stderr = "";
  const listeners = new Set<() => void>();
  child.stdout!.on("data", (data: Buffer) => {
    const parts = (rest + data.toString()).split("\n");
    rest = parts.pop()!;
    lines.push(...parts);
    for (const l of listeners) l();
  });
  child.stderr!.on("data", (data: Buffer) => (stderr += data.toString()));
  // on "close", not "exit": the lines still in the pipe when the process died are read first (no fixture
  // starts a process of its own that could hold the pipe open after a kill -9)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  function kill9() {
    child.kill("SIGKILL");
    return exited.then(() => {});
  }
  return {
    child,
    lines,
    exited,
    kill9: () => kill9().then(stop),
    stderr: () => stderr,
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (lines.some((l) => pattern.test(l))) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`${name} printed no ${pattern} in ${timeoutMs} ms; stderr:\n${stderr}`));
        }, timeoutMs);
        listeners.add(check);
        exited.then(() => setTimeout(() => check(), 50));
        check();
      });
    },
  };
}

/** The lines `E|C|R <key> <id>` a fixture printed, as key → id. */
export function printed(lines: string[], tag: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const line of lines) {
    const [t, key, id] = line.split(" ");
    if (t === tag && key && id) found.set(key, id);
  }
  return found;
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// enable3 import from a pipe, stdin (`-`) or a named pipe: the lines are read once, as they come, into
// the journal; the state goes to the working directory (or --state DIR), never beside a device; the
// same data piped again resumes (or sends what was appended), other data is refused; a FIFO never hangs.
import { execFile, execFileSync } from "node:child_process";
import { createWriteStream } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, type CliResult } from "../helpers/cli.js";
import { TEST_KEY } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { stopChild } from "../helpers/process.js";
import { registerTeardown } from "../helpers/teardown.js";
import { makeTempDir } from "../helpers/temp-dir.js";

const event = (i: number) => JSON.stringify({ userId: `u${i % 50}`, eventId: "deposit", value: i });
const lines = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${event(from + i)}\n`).join("");

/** The built CLI in `cwd`, `input` written to its stdin (a pipe). */
function runIn(cwd: string, args: string[], url: string, input?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { cwd, env: { ...process.env, ENABLE3_API_KEY: TEST_KEY, ENABLE3_BASE_URL: url }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
    registerTeardown(() => stopChild(child));
    child.stdin!.on("error", () => {});
    child.stdin!.end(input ?? "");
  });
}

async function recording() {
  const server = await startScriptedServer((_req, res) => reply(res, 201));
  const values = () => server.requests.map((r) => JSON.parse(r.body).value as number);
  const ids = () => new Set(server.requests.map((r) => JSON.parse(r.body).id as string));
  return { server, values, ids };
}

describe("enable3 import from a pipe", () => {
  it.each([["/dev/stdin"], ["-"]])(
    "cat FILE | enable3 import events %s: all 5,000 lines sent, state in the working directory; the same data again plus more sends only the new lines; other data is refused",
    async (input) => {
      const { server, values, ids } = await recording();
      const cwd = await makeTempDir("enable3-pipe");
      const first = await runIn(cwd, ["import", "events", input, "--json"], server.url, lines(0, 5_000));
      expect(first.code, first.stderr).toBe(0);
      expect(JSON.parse(first.stdout)).toMatchObject({ delivered: 5_000, stopped: false, state: path.join(cwd, "stdin.import") });
      expect(new Set(values()).size).toBe(5_000);
      expect(await readdir(cwd)).toEqual(["stdin.import"]);
      const more = await runIn(cwd, ["import", "events", input, "--json"], server.url, lines(0, 5_100));
      expect(more.code, more.stderr).toBe(0);
      expect(JSON.parse(more.stdout)).toMatchObject({ delivered: 100, resumed: true });
      expect(values()).toHaveLength(5_100);
      expect(ids().size).toBe(5_100);
      const other = await runIn(cwd, ["import", "events", input], server.url, lines(1, 5_200));
      expect(other.code).toBe(2);
      expect(other.stderr).toMatch(/is not the file the import saved in .*stdin\.import began with/);
      expect(values()).toHaveLength(5_100);
    },
    90_000,
  );

  it("--state DIR puts the state there", async () => {
    const { server, values } = await recording();
    const cwd = await makeTempDir("enable3-pipe-state");
    const state = path.join(cwd, "kept");
    const result = await runIn(cwd, ["import", "events", "-", "--json", "--state", state], server.url, lines(0, 10));
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ delivered: 10, state });
    expect(values()).toHaveLength(10);
  }, 60_000);

  it("a named pipe (FIFO) is read once, to its end: every line sent, the run ends", async () => {
    const { server, values } = await recording();
    const cwd = await makeTempDir("enable3-fifo");
    const fifo = path.join(cwd, "events.fifo");
    execFileSync("mkfifo", [fifo]);
    const run = runIn(cwd, ["import", "events", fifo, "--json"], server.url);
    const writer = createWriteStream(fifo);
    writer.end(lines(0, 2_000));
    const result = await run;
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ delivered: 2_000, state: path.join(cwd, "events.fifo.import") });
    expect(new Set(values()).size).toBe(2_000);
  }, 60_000);
});

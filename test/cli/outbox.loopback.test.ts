// `enable3 outbox` on a fileStore held by a running outbox in another process: status and dead read it
// without the lock (pending, in flight, dead, paused and why, the dead records with filters), replay and
// purge are refused naming the holder; once it stops they re-queue (same ids) and purge, with counts.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { runDead, runPurge, runReplay, runStatus } from "../../src/cli/outbox-commands.js";
import { createOutbox, fileStore } from "../../src/outbox.js";
import { runCliFromSource } from "../helpers/cli-source.js";
import { clientFor, TEST_KEY } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { ROOT, stopChild } from "../helpers/process.js";
import { registerTeardown } from "../helpers/teardown.js";
import { makeTempDir } from "../helpers/temp-dir.js";

/** An outbox on `dir` in a process of its own: enqueues `count` events, prints "ready" once its published status says paused. */
async function runningOutbox(dir: string, baseUrl: string, count: number) {
  const bundleDir = mkdtempSync(path.join(tmpdir(), "enable3-outbox-proc-"));
  registerTeardown(() => rmSync(bundleDir, { recursive: true, force: true }));
  const script = path.join(bundleDir, "main.ts");
  writeFileSync(
    script,
    `import { createEnable3Client } from ${JSON.stringify(path.join(ROOT, "src/index.node.ts"))};
import { createOutbox, fileStore } from ${JSON.stringify(path.join(ROOT, "src/outbox.ts"))};
import { readStatusFile } from ${JSON.stringify(path.join(ROOT, "src/outbox/journal/status-file.ts"))};
const outbox = createOutbox(createEnable3Client({ apiKey: ${JSON.stringify(TEST_KEY)}, baseUrl: ${JSON.stringify(baseUrl)}, maxRetries: 0 }), {
  store: fileStore(${JSON.stringify(dir)}), initialDelayMs: 60_000, maxDelayMs: 60_000, onError: () => {},
});
for (let i = 0; i < ${count}; i++) await outbox.enqueue({ id: "p" + i, userId: "u", eventId: "deposit", value: i });
// until status.json (rewritten every 5 s) says paused, as enable3 outbox status reads it
while ((await readStatusFile(${JSON.stringify(dir)}))?.state !== "paused") await new Promise((r) => setTimeout(r, 50));
console.log("ready");
process.on("SIGTERM", () => outbox.close({ timeoutMs: 0 }).then(() => process.exit(0)));
setInterval(() => {}, 1000);
`,
  );
  const outfile = path.join(bundleDir, "main.mjs");
  await build({ entryPoints: [script], bundle: true, format: "esm", platform: "node", outfile, logLevel: "silent" });
  const child = spawn(process.execPath, [outfile], { stdio: ["ignore", "pipe", "pipe"] });
  registerTeardown(() => stopChild(child));
  let output = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      output += d.toString();
      if (output.includes("ready")) resolve();
    });
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.once("exit", (code) => reject(new Error(`the outbox process exited with ${code}: ${output}`)));
  });
  return child;
}

const json = <T>(text: string) => JSON.parse(text) as T;

/** Runs a subcommand in this process (the running outbox is another process): what it printed. */
async function run(command: (args: string[], out: NodeJS.WritableStream) => Promise<number>, args: string[]): Promise<string> {
  let text = "";
  const out = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  expect(await command(args, out)).toBe(0);
  return text;
}

describe("enable3 outbox on a fileStore", () => {
  it("status and dead read the directory while an outbox runs on it; replay and purge wait for it to stop", async () => {
    const gate = { answer: 422 };
    const server = await startScriptedServer((req, res) => {
      const id = (JSON.parse(req.body) as { id: string }).id;
      if (gate.answer === 422) return reply(res, id.startsWith("a") ? 400 : 422, { message: `refused ${id}` });
      reply(res, gate.answer, { message: "key revoked" });
    });
    const dir = await makeTempDir("enable3-outbox-cli");
    // five dead records first: a0 and a1 refused with 400, b0…b2 with 422
    const first = createOutbox(clientFor(server.url, { maxRetries: 0 }), { store: fileStore(dir) });
    for (const id of ["a0", "a1", "b0", "b1", "b2"]) await first.enqueue({ id, userId: "u", eventId: "deposit", value: 1 });
    await first.flush();
    await first.close();

    gate.answer = 401; // the API now refuses the key: the running outbox pauses
    const child = await runningOutbox(dir, server.url, 7);

    // the bin, as an operator runs it, beside the running outbox
    const status = await runCliFromSource(["outbox", "status", "--dir", dir, "--json"]);
    expect(status.code, status.stderr).toBe(0);
    const report = json<Record<string, unknown>>(status.stdout);
    expect(report).toMatchObject({ dead: 5, paused: true, pausedBecause: expect.stringContaining("401") });
    expect((report.pending as number) + (report.inFlight as number)).toBe(7);
    expect(report.oldestPendingMs).toBeGreaterThan(0);
    expect(report.workers).toEqual([expect.objectContaining({ pid: child.pid, state: "paused" })]);

    const human = await run(runStatus, ["--dir", dir]);
    expect(human).toMatch(/dead\s+5/);
    expect(human).toMatch(/delivery\s+PAUSED: .*401/);

    const listed = json<{ id: string; status: number; reason: string; attempts: number; diedAt: string; enqueuedAt: string }[]>(
      await run(runDead, ["--dir", dir, "--status", "422", "--json"]),
    );
    expect(listed.map((r) => r.id).sort()).toEqual(["b0", "b1", "b2"]);
    expect(listed[0]).toMatchObject({ status: 422, attempts: 1, reason: expect.stringContaining("refused b") });
    expect(Date.parse(listed[0]!.diedAt)).toBeGreaterThanOrEqual(Date.parse(listed[0]!.enqueuedAt));
    const byReason = await run(runDead, ["--dir", dir, "--reason", "REFUSED A", "--newer-than", "1h"]);
    expect(
      byReason
        .trim()
        .split("\n")
        .slice(1)
        .map((l) => l.split("\t")[0]),
    ).toEqual(["a0", "a1"]);
    expect(json(await run(runDead, ["--dir", dir, "--older-than", "1d", "--json"]))).toEqual([]);

    const replayHeld = await runCliFromSource(["outbox", "replay", "--all", "--dir", dir]);
    expect(replayHeld.code).toBe(2);
    expect(replayHeld.stderr).toContain(`in use by process ${child.pid}`);
    expect(replayHeld.stderr).toContain("status and dead work while it runs");
    await expect(runPurge(["--dead", "--older-than", "0s", "--dir", dir], new Writable())).rejects.toThrow(
      `in use by process ${child.pid}`,
    );

    await stopChild(child);
    expect(json(await run(runStatus, ["--dir", dir, "--json"]))).toMatchObject({ paused: false, workers: [] });

    expect(json(await run(runReplay, ["--status", "422", "--dir", dir, "--json"]))).toEqual({ replayed: 3 });
    expect(await run(runPurge, ["--dead", "--older-than", "0s", "--dry-run", "--dir", dir])).toContain("would purge 2 dead records");
    expect(json(await run(runPurge, ["--dead", "--older-than", "0s", "--dir", dir, "--json"]))).toEqual({
      purged: 2,
      dryRun: false,
      olderThanMs: 0,
    });
    expect(json(await run(runStatus, ["--dir", dir, "--json"]))).toMatchObject({ pending: 10, dead: 0 });
    // the replayed records go out under the ids they had
    gate.answer = 201;
    server.requests.length = 0;
    const last = createOutbox(clientFor(server.url), { store: fileStore(dir) });
    await last.flush();
    await last.close();
    const sent = server.requests.map((r) => (JSON.parse(r.body) as { id: string }).id).sort();
    expect(sent).toEqual(["b0", "b1", "b2", "p0", "p1", "p2", "p3", "p4", "p5", "p6"]);
  }, 90_000);

  it("usage: no store, a password in an argument, a bad duration, replay without a choice", async () => {
    const noStore = await runCliFromSource(["outbox", "status"], {
      DATABASE_URL: undefined,
      PGHOST: undefined,
      PGHOSTADDR: undefined,
      PGUSER: undefined,
      PGDATABASE: undefined,
      PGSERVICE: undefined,
    });
    expect(noStore.code).toBe(2);
    expect(noStore.stderr).toContain("give --dir DIR for a fileStore, or set DATABASE_URL");
    const sink = new Writable();
    const password = await runStatus(["--database-url", "postgres://u:hunter2@db/app"], sink).catch((e: Error) => e);
    expect(password).toMatchObject({ name: "UsageError", message: expect.stringContaining("refused") });
    expect((password as Error).message).not.toContain("hunter2");
    const flag = await runDead(["--password", "hunter2"], sink).catch((e: Error) => e);
    expect(flag).toMatchObject({ name: "UsageError" });
    expect((flag as Error).message).not.toContain("hunter2");
    await expect(runDead(["--dir", "/tmp", "--older-than", "thirty days"], sink)).rejects.toThrow(
      "--older-than takes a duration such as 30d",
    );
    await expect(runReplay(["--dir", "/tmp"], sink)).rejects.toThrow("--all, or --status N");
    const help = await runCliFromSource(["outbox", "--help"]);
    expect(help.stdout).toContain("purge --dead --older-than 30d");
  }, 60_000);
});

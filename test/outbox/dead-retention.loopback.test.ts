// Dead records' retention on a fileStore: each keeps when it died; purge() removes (or, dry, counts)
// those dead longer than asked; the delivering outbox purges past deadRetentionMs by itself (at
// start); Infinity keeps them; status.json tells another process how the outbox stands.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { createOutbox, type DeadRecord, fileStore, inspectOutbox, type OutboxOptions } from "../../src/outbox.js";
import { clientFor } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { registerTeardown } from "../helpers/teardown.js";
import { makeTempDir } from "../helpers/temp-dir.js";

async function withDead(count: number) {
  const server = await startScriptedServer((_req, res) => reply(res, 422, { message: "bad user" }));
  const dir = await makeTempDir("enable3-retention");
  const open = (options: Partial<OutboxOptions> = {}) => {
    const outbox = createOutbox(clientFor(server.url), { store: fileStore(dir), ...options });
    registerTeardown(() => outbox.close({ timeoutMs: 0 }));
    return outbox;
  };
  const first = open({ deadRetentionMs: Number.POSITIVE_INFINITY });
  const before = Date.now();
  await Promise.all(Array.from({ length: count }, (_, i) => first.enqueue({ id: `d${i}`, userId: "u", eventId: "deposit", value: 1 })));
  await first.flush();
  await first.close();
  return { dir, open, before };
}

/** A dead.log line framed as the journal frames it (crc32 of the payload). */
function frameLine(value: object): string {
  const payload = JSON.stringify(value);
  return `${crc32(Buffer.from(payload)).toString(16).padStart(8, "0")} ${payload}\n`;
}

async function listDead(outbox: { dead(): AsyncIterable<DeadRecord> }) {
  const records: DeadRecord[] = [];
  for await (const record of outbox.dead()) records.push(record);
  return records;
}

describe("dead records' retention (fileStore)", () => {
  it("a dead record keeps when it died; purge counts with dryRun, removes the older ones, keeps the rest", async () => {
    const { dir, open, before } = await withDead(6);
    const outbox = open({ deliver: false });
    const dead = await listDead(outbox);
    expect(dead).toHaveLength(6);
    for (const record of dead) expect(record.diedAt).toBeGreaterThanOrEqual(before);
    expect(await outbox.purge({ olderThanMs: 3_600_000 })).toEqual({ purged: 0 });
    expect(await outbox.purge({ olderThanMs: 0, dryRun: true })).toEqual({ purged: 6 });
    expect(await listDead(outbox)).toHaveLength(6);
    expect(await outbox.purge({ olderThanMs: 0 })).toEqual({ purged: 6 });
    expect(await listDead(outbox)).toEqual([]);
    expect(outbox.stats().dead).toBe(0);
    await outbox.close();
    expect(await readFile(path.join(dir, "dead.log"), "utf8")).toBe("");
  });

  it("the delivering outbox purges past deadRetentionMs at start; Infinity keeps them; a line written before diedAt counts from its enqueue", async () => {
    const { dir, open } = await withDead(4);
    // d0's line as an older version wrote it: no "d", enqueued two days ago
    const file = path.join(dir, "dead.log");
    const text = await readFile(file, "utf8");
    expect(text).toContain('"d":');
    const kept = open({ deadRetentionMs: Number.POSITIVE_INFINITY });
    expect(await listDead(kept)).toHaveLength(4);
    await kept.close();
    const weekAgo = Date.now() - 7 * 86_400_000;
    const older = text
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => l.slice(9))
      .map((p) => JSON.parse(p) as { id: string; t: number; d?: number });
    await writeFile(file, older.map((v) => (v.id === "d0" ? frameLine({ ...v, t: weekAgo, d: undefined }) : frameLine(v))).join(""));
    const outbox = open({ deadRetentionMs: 86_400_000 });
    await outbox.open();
    await expect.poll(async () => (await listDead(outbox)).map((r) => r.id).sort()).toEqual(["d1", "d2", "d3"]);
  });

  it("deadRetentionMs is checked with the other options", () => {
    const store = fileStore("/nonexistent/enable3-never-opened");
    const client = clientFor("http://127.0.0.1:9");
    for (const bad of [-1, Number.NaN, "30d"])
      expect(() => createOutbox(client, { store, deadRetentionMs: bad as number })).toThrow(/options\.deadRetentionMs/);
  });

  it("purge refuses bad options, and so does inspectOutbox", async () => {
    const { open, dir } = await withDead(1);
    expect(() => inspectOutbox(fileStore(dir), { onErr: () => {} } as never)).toThrow(/options\.onErr/);
    const outbox = open({ deliver: false });
    await expect(outbox.purge({ olderThanMs: -5 })).rejects.toThrow(/options\.olderThanMs/);
    await expect(outbox.purge({ olderThanMs: 0, dry: true } as never)).rejects.toThrow(/options\.dry/);
    // a dryRun that is not a boolean is refused by both, not read as "purge for real"
    await expect(outbox.purge({ olderThanMs: 0, dryRun: "yes" } as never)).rejects.toThrow(/options\.dryRun/);
    await expect(inspectOutbox(fileStore(dir)).purge({ olderThanMs: 0, dryRun: "yes" } as never)).rejects.toThrow(/options\.dryRun/);
    expect(await listDead(outbox)).toHaveLength(1);
  });

  it("a delivering outbox publishes how it stands in status.json, and 'closed' when it closes", async () => {
    const { dir, open } = await withDead(1);
    const outbox = open();
    await outbox.open();
    const read = async () => JSON.parse(await readFile(path.join(dir, "status.json"), "utf8").catch(() => "{}")) as Record<string, unknown>;
    await expect.poll(read).toMatchObject({ state: "open", pid: process.pid, inFlight: 0, deliveredLastHour: 0 });
    await outbox.close();
    expect(await read()).toMatchObject({ state: "closed", pid: process.pid });
  });

  it("status.json counts what was delivered in the last hour", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 201));
    const dir = await makeTempDir("enable3-status");
    const outbox = createOutbox(clientFor(server.url), { store: fileStore(dir) });
    registerTeardown(() => outbox.close({ timeoutMs: 0 }));
    for (let i = 0; i < 3; i++) await outbox.enqueue({ userId: "u", eventId: "deposit", value: i });
    await outbox.flush();
    const read = async () => JSON.parse(await readFile(path.join(dir, "status.json"), "utf8").catch(() => "{}")) as Record<string, unknown>;
    await expect.poll(read, { timeout: 15_000, interval: 250 }).toMatchObject({ state: "open", deliveredLastHour: 3 });
  });

  it("a status that cannot be written is told to onError once, and delivery goes on", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 201));
    const dir = await makeTempDir("enable3-status-fail");
    await mkdir(path.join(dir, "status.json")); // a directory where the file goes: every rename fails
    const errors: Error[] = [];
    const outbox = createOutbox(clientFor(server.url), { store: fileStore(dir), onError: (e) => errors.push(e) });
    registerTeardown(() => outbox.close({ timeoutMs: 0 }));
    await outbox.enqueue({ userId: "u", eventId: "deposit", value: 1 });
    await outbox.flush();
    await expect.poll(() => errors.length).toBe(1);
    expect(errors[0]).toMatchObject({ reason: "write_failed", message: expect.stringContaining("cannot publish the outbox's status") });
    expect(server.requests).toHaveLength(1);
  });
});

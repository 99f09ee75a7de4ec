// dead.log under damage and failure: a dead record whose line is damaged is reported and kept (never
// erased by a replay); a replay that fails half-way leaves each dead record exactly once, either
// re-queued or still dead, so a second replay sends nothing twice.
import { open as openFile, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { createOutbox, type DeadRecord, fileStore, type OutboxOptions } from "../../src/outbox.js";
import { clientFor } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { registerTeardown } from "../helpers/teardown.js";
import { makeTempDir } from "../helpers/temp-dir.js";

const idOf = (r: { body: string }) => (JSON.parse(r.body) as { id: string }).id;

/** `count` events d0… made dead by a 422, in a fresh directory; then the server accepts. */
async function withDead(count: number) {
  const gate = { refuse: true };
  const server = await startScriptedServer((_req, res) => (gate.refuse ? reply(res, 422, { message: "no" }) : reply(res, 201)));
  const dir = await makeTempDir("enable3-dead");
  const open = (options: Partial<OutboxOptions> = {}) => {
    const outbox = createOutbox(clientFor(server.url), { store: fileStore(dir, { syncIntervalMs: 3_600_000 }), ...options });
    registerTeardown(() => outbox.close({ timeoutMs: 0 }));
    return outbox;
  };
  const first = open({ concurrency: 8 });
  for (let i = 0; i < count; i += 100)
    await Promise.all(
      Array.from({ length: Math.min(100, count - i) }, (_, j) =>
        first.enqueue({ id: `d${i + j}`, userId: "u", eventId: "deposit", value: 1 }),
      ),
    );
  await first.flush();
  expect(first.stats().dead).toBe(count);
  await first.close();
  gate.refuse = false;
  server.requests.length = 0;
  return { server, dir, open };
}

async function listDead(outbox: { dead(): AsyncIterable<DeadRecord> }) {
  const ids: string[] = [];
  for await (const record of outbox.dead()) ids.push(record.id);
  return ids;
}

describe("dead.log", () => {
  it("one flipped bit: the damaged dead record is reported with its id, kept through a replay, and reported again at the next open", async () => {
    const { server, dir, open } = await withDead(5);
    const file = path.join(dir, "dead.log");
    const lines = (await readFile(file, "utf8")).split("\n");
    const victim = lines.findIndex((l) => l.includes('"id":"d2"'));
    lines[victim] = lines[victim]!.replace('"attempts"', '"attemptz"').replace('"a":1', '"a":3'); // a changed byte
    await writeFile(file, lines.join("\n"));
    const errors: Error[] = [];
    const outbox = open({ onError: (e) => errors.push(e) });
    expect((await listDead(outbox)).sort()).toEqual(["d0", "d1", "d3", "d4"]);
    expect(errors).toEqual([expect.objectContaining({ reason: "corrupt", message: expect.stringMatching(/1 dead record .*"d2"/) })]);
    expect(await outbox.replay()).toEqual({ replayed: 4 });
    await outbox.flush();
    expect(server.requests.map(idOf).sort()).toEqual(["d0", "d1", "d3", "d4"]);
    await outbox.close();
    expect(await readFile(file, "utf8")).toContain(lines[victim]);
    const again: Error[] = [];
    await open({ onError: (e) => again.push(e) }).open();
    expect(again).toEqual([expect.objectContaining({ reason: "corrupt", message: expect.stringMatching(/"d2"/) })]);
  });

  it("a replay that fails half-way (the disk refuses the second batch): the first batch is no longer dead, and a second replay sends each record once", async () => {
    const { server, open } = await withDead(800);
    const outbox = open({ deliver: false });
    const probe = await openFile(import.meta.filename, "r");
    const proto = Object.getPrototypeOf(probe) as { write(...args: unknown[]): Promise<unknown> };
    await probe.close();
    const write = proto.write;
    const enospc = vi.spyOn(proto, "write").mockImplementation(function (this: unknown, ...args: unknown[]) {
      const data = args[0];
      if (Buffer.isBuffer(data) && data.includes('"id":"d600"') && data.includes('"n":'))
        return Promise.reject(Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" }));
      return write.apply(this, args);
    });
    registerTeardown(() => enospc.mockRestore());
    await expect(outbox.replay()).rejects.toMatchObject({ reason: "write_failed" });
    enospc.mockRestore();
    const stillDead = await listDead(outbox);
    expect(outbox.stats().dead).toBe(stillDead.length);
    expect(outbox.stats().pending + stillDead.length).toBe(800);
    expect(await outbox.replay()).toEqual({ replayed: stillDead.length });
    await outbox.close();
    const sender = open();
    await sender.flush();
    const sent = server.requests.map(idOf);
    expect(sent).toHaveLength(800);
    expect(new Set(sent).size).toBe(800);
    expect(sender.stats().dead).toBe(0);
  });

  it("a dead record dead.log cannot take (no room): delivery goes on, enqueue refuses (full) until it is written, then stores again", async () => {
    const server = await startScriptedServer((req, res) =>
      (JSON.parse(req.body) as { value: number }).value === 7 ? reply(res, 422, { message: "no" }) : reply(res, 201),
    );
    const errors: Error[] = [];
    const outbox = createOutbox(clientFor(server.url), {
      store: fileStore(await makeTempDir("enable3-dead-full")),
      onError: (e) => errors.push(e),
    });
    registerTeardown(() => outbox.close({ timeoutMs: 0 }));
    await outbox.open();
    const probe = await openFile(import.meta.filename, "r");
    const proto = Object.getPrototypeOf(probe) as { write(...args: unknown[]): Promise<unknown> };
    await probe.close();
    const write = proto.write;
    const enospc = vi.spyOn(proto, "write").mockImplementation(function (this: unknown, ...args: unknown[]) {
      if (Buffer.isBuffer(args[0]) && args[0].includes('"e":{'))
        // a dead record's line
        return Promise.reject(Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" }));
      return write.apply(this, args);
    });
    registerTeardown(() => enospc.mockRestore());
    await outbox.enqueue({ id: "refused", userId: "u", eventId: "deposit", value: 7 });
    await outbox.enqueue({ id: "fine", userId: "u", eventId: "deposit", value: 1 });
    await expect.poll(() => errors.map((e) => (e as { reason?: string }).reason)).toContain("write_failed");
    await expect.poll(() => server.requests.map(idOf)).toContain("fine");
    await expect(outbox.enqueue({ id: "later", userId: "u", eventId: "deposit", value: 2 })).rejects.toMatchObject({ reason: "full" });
    await expect.poll(() => outbox.stats()).toMatchObject({ dead: 0, pending: 1 }); // "fine" settled (its answer may still be on its way)
    enospc.mockRestore();
    await expect.poll(() => outbox.stats().dead).toBe(1);
    await outbox.enqueue({ id: "later", userId: "u", eventId: "deposit", value: 2 });
    await outbox.flush();
    expect(server.requests.map(idOf).filter((id) => id === "refused")).toHaveLength(1);
  });
});

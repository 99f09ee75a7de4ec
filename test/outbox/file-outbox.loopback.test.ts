// The outbox on a fileStore, against a recording server on 127.0.0.1: durable enqueue with fixed ids,
// background delivery through the bulk sender, retries with backoff, dead records with the API's
// reason, replay with the same ids, flush, close and restart, hooks, stats.
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createOutbox, Enable3OutboxError, fileStore, type OutboxOptions } from "../../src/outbox.js";
import { clientFor } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { registerTeardown } from "../helpers/teardown.js";
import { makeTempDir } from "../helpers/temp-dir.js";

const body = (r: { body: string }) => JSON.parse(r.body) as { id: string; requestId: string; value: number; userId: string };

async function setup(handler: Parameters<typeof startScriptedServer>[0], options: Partial<OutboxOptions> = {}, dir?: string) {
  const server = await startScriptedServer(handler);
  const where = dir ?? (await makeTempDir("enable3-outbox"));
  const client = clientFor(server.url);
  const open = (more: Partial<OutboxOptions> = {}) => {
    const outbox = createOutbox(client, { store: fileStore(where), initialDelayMs: 20, maxDelayMs: 50, ...options, ...more });
    registerTeardown(() => outbox.close({ timeoutMs: 0 }));
    return outbox;
  };
  return { server, dir: where, client, open };
}

describe("outbox on a fileStore", () => {
  it("delivers every enqueued event once, with the id fixed at enqueue, and flush waits for all of them", async () => {
    const { server, open } = await setup((_req, res) => reply(res, 201));
    const outbox = open({ concurrency: 4 });
    const ids = await Promise.all(Array.from({ length: 300 }, (_, i) => outbox.enqueue({ userId: `u${i}`, eventId: "deposit", value: i })));
    const mine = await outbox.enqueue({ id: "my-own-id", userId: "u", eventId: "deposit", value: 1 });
    expect(mine).toEqual({ id: "my-own-id" });
    await outbox.flush();
    const sent = server.requests.map(body);
    expect(sent).toHaveLength(301);
    expect(new Set(sent.map((b) => b.id))).toEqual(new Set([...ids.map((r) => r.id), "my-own-id"]));
    expect(outbox.stats()).toEqual({ state: "open", pending: 0, inFlight: 0, dead: 0, oldestPendingMs: 0, delivered: 301 });
  });

  it("maxPending: past it enqueue rejects (reason full) and stores nothing; room again once delivered", async () => {
    let answer = false;
    const held: (() => void)[] = [];
    const { server, open } = await setup((_req, res) => (answer ? reply(res, 201) : void held.push(() => reply(res, 201))));
    const outbox = open({ maxPending: 5, concurrency: 1 });
    for (let i = 0; i < 5; i++) await outbox.enqueue({ userId: "u", eventId: "deposit", value: i });
    await expect(outbox.enqueue({ userId: "u", eventId: "deposit", value: 5 })).rejects.toMatchObject({
      name: "Enable3OutboxError",
      code: "outbox_failed",
      reason: "full",
    });
    answer = true;
    for (const release of held.splice(0)) release();
    await outbox.flush();
    await outbox.enqueue({ userId: "u", eventId: "deposit", value: 6 });
    await outbox.flush();
    expect(server.requests.map((r) => body(r).value).sort()).toEqual([0, 1, 2, 3, 4, 6]);
  });

  it("revenue goes to /api/v1/revenue with its requestId", async () => {
    const { server, open } = await setup((_req, res) => reply(res, 200));
    const outbox = open();
    const { requestId } = await outbox.enqueueRevenue({ revenue: 12.5, date: "2024-02-22 10:00:00" });
    await outbox.flush();
    expect(server.requests.map((r) => [r.url, body(r).requestId])).toEqual([["/api/v1/revenue", requestId]]);
  });

  it("refuses invalid input before storing anything", async () => {
    const { open } = await setup((_req, res) => reply(res, 201));
    const outbox = open();
    await expect(outbox.enqueue({ userId: "u", eventId: "deposit", value: Number.NaN })).rejects.toMatchObject({ field: "event.value" });
    await expect(outbox.enqueue({ userId: "u", eventId: "d", value: 1 }, { tx: {} as never })).rejects.toMatchObject({
      field: "options.tx",
    });
    expect(outbox.stats().pending).toBe(0);
  });

  it("retries 503s and connection failures with backoff, and a 4xx becomes dead with the API's reason; replay sends the same id", async () => {
    const attempts = new Map<string, number>();
    let refuse = true;
    const { server, open } = await setup((req, res) => {
      const { id, value } = body(req);
      const n = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, n);
      if (value === 13 && refuse) return reply(res, 422, { message: "event 13 is not configured" });
      if (n < 3) return void (value % 2 ? res.destroy() : reply(res, 503));
      reply(res, 201);
    });
    const seen: { delivered: number[]; retried: number[]; dead: string[] } = { delivered: [], retried: [], dead: [] };
    const outbox = open({
      onDelivered: (i) => seen.delivered.push(i.attempt),
      onRetry: (i) => seen.retried.push(i.status ?? 0),
      onDead: (i) => seen.dead.push(`${i.operation} ${i.status} ${i.attempt} ${i.error.message}`),
    });
    for (let i = 10; i < 16; i++) await outbox.enqueue({ id: `e${i}`, userId: "u", eventId: "deposit", value: i });
    await outbox.flush();
    expect(seen.delivered).toEqual([3, 3, 3, 3, 3]);
    expect(seen.retried.filter((s) => s === 503)).toHaveLength(6);
    expect(seen.retried.filter((s) => s === 0)).toHaveLength(4);
    expect(seen.dead).toEqual([expect.stringMatching(/^sendEvent 422 1 .*event 13 is not configured/)]);
    const dead = [];
    for await (const record of outbox.dead()) dead.push(record);
    expect(dead).toMatchObject([
      { kind: "event", id: "e13", attempts: 1, error: { status: 422, code: "http_error" }, body: { value: 13 } },
    ]);
    expect(outbox.stats().dead).toBe(1);
    refuse = false;
    expect(await outbox.replay(["e13"])).toEqual({ replayed: 1 });
    await outbox.flush();
    expect(outbox.stats()).toMatchObject({ dead: 0, pending: 0 });
    expect(
      server.requests
        .map(body)
        .filter((b) => b.value === 13)
        .map((b) => b.id),
    ).toEqual(["e13", "e13", "e13"]); // refused, then after the replay a reset and a 201
  });

  it("close leaves what was not delivered on disk; the next outbox sends it with the same ids", async () => {
    let answer = false;
    const held: (() => void)[] = [];
    const { server, open } = await setup((_req, res) => (answer ? reply(res, 201) : void held.push(() => reply(res, 201))));
    const first = open({ concurrency: 2 });
    const ids = [];
    for (let i = 0; i < 20; i++) ids.push((await first.enqueue({ userId: "u", eventId: "deposit", value: i })).id);
    await expect.poll(() => server.requests.length).toBe(2);
    expect(first.stats()).toMatchObject({ inFlight: 2, pending: 18 });
    await first.close({ timeoutMs: 50 }); // the two in flight are aborted: they stay queued
    await expect(first.enqueue({ userId: "u", eventId: "d", value: 1 })).rejects.toMatchObject({ reason: "closed" });
    answer = true;
    const second = open();
    await second.flush();
    const delivered = server.requests.slice(2).map((r) => body(r).id);
    expect(new Set(delivered)).toEqual(new Set(ids));
    expect(delivered).toHaveLength(20);
    for (const release of held) release();
  });

  it("one process at a time: a second opener is told the holder's PID; files are 0600", async () => {
    const { dir, open } = await setup((_req, res) => reply(res, 201));
    const first = open();
    await first.enqueue({ userId: "u", eventId: "deposit", value: 1 });
    const second = open();
    const error = await second.open().catch((e) => e);
    expect(error).toBeInstanceOf(Enable3OutboxError);
    expect(error).toMatchObject({ reason: "locked" });
    expect(error.message).toContain(`in use by process ${process.pid}`);
    await expect(second.enqueue({ userId: "u", eventId: "deposit", value: 1 })).rejects.toMatchObject({ reason: "locked" });
    await first.flush();
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    for (const name of await readdir(dir))
      expect(`${name} ${((await stat(path.join(dir, name))).mode & 0o777).toString(8)}`).toBe(`${name} 600`);
  });

  it("a throwing hook changes nothing and is reported once", async () => {
    const { server, open } = await setup((_req, res) => reply(res, 201));
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on("warning", onWarning);
    registerTeardown(() => process.off("warning", onWarning));
    const outbox = open({
      onDelivered: () => {
        throw new Error("hook bug");
      },
    });
    for (let i = 0; i < 5; i++) await outbox.enqueue({ userId: "u", eventId: "deposit", value: i });
    await outbox.flush();
    await new Promise((r) => setImmediate(r));
    expect(server.requests).toHaveLength(5);
    expect(warnings.filter((w) => w.includes("onDelivered hook threw (Error: hook bug)"))).toHaveLength(1);
  });
});

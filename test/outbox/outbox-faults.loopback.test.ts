// The outbox under faults its operators meet, against a recording server on 127.0.0.1: an API that
// fails for ever (flush is bounded), a key the API refuses (the outbox pauses, nothing dies), a store
// that cannot open (said at once), a burst of concurrent enqueues (maxPending holds).
import { describe, expect, it } from "vitest";
import { createOutbox, fileStore, type OutboxOptions } from "../../src/outbox.js";
import { clientFor } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { registerTeardown } from "../helpers/teardown.js";
import { makeTempDir } from "../helpers/temp-dir.js";

async function setup(handler: Parameters<typeof startScriptedServer>[0], options: Partial<OutboxOptions> = {}) {
  const server = await startScriptedServer(handler);
  const dir = await makeTempDir("enable3-outbox");
  const open = (more: Partial<OutboxOptions> = {}) => {
    const outbox = createOutbox(clientFor(server.url), { store: fileStore(dir), initialDelayMs: 20, maxDelayMs: 50, ...options, ...more });
    registerTeardown(() => outbox.close({ timeoutMs: 0 }));
    return outbox;
  };
  return { server, dir, open };
}

const event = (i: number) => ({ userId: "u", eventId: "deposit", value: i });

describe("outbox faults", () => {
  it("flush({ timeoutMs }) with an API that fails for ever rejects once the time is up, naming what is left", async () => {
    const { open } = await setup((_req, res) => reply(res, 503));
    const outbox = open();
    for (let i = 0; i < 3; i++) await outbox.enqueue(event(i));
    const started = performance.now();
    const error = await outbox.flush({ timeoutMs: 300 }).catch((e) => e);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(error).toMatchObject({ name: "Enable3TimeoutError", code: "timeout" });
    expect(error.message).toMatch(/flush gave up after 300 ms/);
    // a signal still works beside it
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(outbox.flush({ timeoutMs: 60_000, signal: controller.signal })).rejects.toMatchObject({ name: "Enable3AbortError" });
    await expect(outbox.flush({ timeoutMs: -1 })).rejects.toMatchObject({ field: "options.timeoutMs" });
  });

  it("a store that cannot open says so at once: onError, stats() and open() all tell it, before any enqueue", async () => {
    const { open } = await setup((_req, res) => reply(res, 201));
    const first = open();
    await first.open();
    const heard: Error[] = [];
    const second = open({ onError: (e) => heard.push(e) });
    await expect.poll(() => heard.length).toBe(1);
    expect(heard[0]).toMatchObject({ name: "Enable3OutboxError", reason: "locked" });
    expect(second.stats()).toMatchObject({ state: "failed", problem: { reason: "locked" }, pending: 0 });
    await expect(second.open()).rejects.toMatchObject({ reason: "locked" });
    expect(first.stats()).toMatchObject({ state: "open" });
    await first.close();
    expect(first.stats()).toMatchObject({ state: "closed" });
  });

  it("a directory where the lock cannot be created rejects with Enable3OutboxError open_failed, not a raw errno", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 201));
    const heard: Error[] = [];
    // /proc/self exists, and no file can be created in it, even by root
    const outbox = createOutbox(clientFor(server.url), { store: fileStore("/proc/self"), onError: (e) => heard.push(e) });
    registerTeardown(() => outbox.close({ timeoutMs: 0 }));
    const error = await outbox.open().catch((e) => e);
    expect(error).toMatchObject({ name: "Enable3OutboxError", reason: "open_failed" });
    expect(error.message).toMatch(/\/proc\/self/); // names the directory
    expect(heard).toEqual([error]);
    await expect(outbox.enqueue(event(1))).rejects.toBe(error);
  });

  it("401 from a rotated key pauses the outbox: nothing dies, onError is told once with the allow-list hint, delivery resumes by itself", async () => {
    let keyWorks = false;
    const { server, open } = await setup((_req, res) => (keyWorks ? reply(res, 201) : reply(res, 401, { message: "invalid key" })));
    const heard: Error[] = [];
    const dead: string[] = [];
    const outbox = open({ onError: (e) => heard.push(e), onDead: (i) => dead.push(i.id), concurrency: 4 });
    for (let i = 0; i < 50; i++) await outbox.enqueue(event(i));
    await expect.poll(() => outbox.stats().state).toBe("paused");
    await new Promise((resolve) => setTimeout(resolve, 400));
    const stats = outbox.stats();
    expect(stats).toMatchObject({ state: "paused", dead: 0, problem: { name: "Enable3OutboxError", reason: "paused" } });
    expect(stats.pending + stats.inFlight).toBe(50);
    expect(heard).toHaveLength(1);
    expect(heard[0]).toMatchObject({ name: "Enable3OutboxError", reason: "paused", cause: { status: 401 } });
    expect(heard[0]!.message).toMatch(/allow-listed/);
    // probes, with the outbox's backoff (20 ms to 50 ms here): a few requests, not a storm
    const during = server.requests.length;
    expect(during).toBeLessThan(50);
    keyWorks = true;
    await outbox.flush({ timeoutMs: 10_000 });
    expect(outbox.stats()).toMatchObject({ state: "open", dead: 0, pending: 0, delivered: 50 });
    expect(dead).toEqual([]);
    expect(outbox.stats().problem).toBeUndefined();
  });

  it("403 pauses too; a 4xx about one record (400, 404, 409, 422) is still that record's death", async () => {
    let refuse = 403;
    const { open } = await setup((req, res) => {
      const { value } = JSON.parse(req.body) as { value: number };
      if (refuse) return reply(res, refuse);
      reply(res, value < 4 ? [400, 404, 409, 422][value]! : 201);
    });
    const outbox = open({ concurrency: 2 });
    for (let i = 0; i < 8; i++) await outbox.enqueue(event(i));
    await expect.poll(() => outbox.stats().state).toBe("paused");
    expect(outbox.stats().dead).toBe(0);
    refuse = 0;
    await outbox.flush({ timeoutMs: 10_000 });
    expect(outbox.stats()).toMatchObject({ state: "open", dead: 4, pending: 0, delivered: 4 });
  });

  it("maxPending is a bound under concurrency: of 5,000 concurrent enqueues, exactly maxPending are stored", async () => {
    const { server, open } = await setup((_req, res) => void server.later(60_000, () => reply(res, 201)));
    const outbox = open({ maxPending: 100, concurrency: 1 });
    const results = await Promise.allSettled(Array.from({ length: 5_000 }, (_, i) => outbox.enqueue(event(i))));
    const stored = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(stored).toHaveLength(100);
    expect(new Set(refused.map((r) => r.reason.reason))).toEqual(new Set(["full"]));
    const stats = outbox.stats();
    expect(stats.pending + stats.inFlight).toBe(100);
  });

  it("no head-of-line stall: 1,100 records the API fails for ever do not hold back 1,000 healthy ones queued behind them", async () => {
    const value = (r: { body: string }) => (JSON.parse(r.body) as { value: number }).value;
    const { server, open } = await setup((req, res) => reply(res, value(req) < 1_100 ? 500 : 201));
    // more records waiting out a backoff than a fileStore keeps in memory (maxRetrying, 1024)
    const outbox = open({ concurrency: 16, initialDelayMs: 500, maxDelayMs: 2_000 });
    await Promise.all(Array.from({ length: 2_100 }, (_, i) => outbox.enqueue(event(i))));
    // before: none of the healthy ones, for as long as retryForMs; a generous bound for a loaded machine
    await expect.poll(() => server.requests.filter((r) => value(r) >= 1_100).length, { timeout: 60_000 }).toBe(1_000);
    await expect.poll(() => outbox.stats().delivered).toBe(1_000); // counted once the store recorded it
    const stats = outbox.stats();
    expect(stats.dead).toBe(0);
    expect(stats.pending + stats.inFlight).toBe(1_100); // the failing ones, still retried
  }, 90_000);

  it("stats() right after opening a backlog says how old its oldest record is", async () => {
    const { open } = await setup((_req, res) => reply(res, 201));
    const first = open({ deliver: false });
    for (let i = 0; i < 20; i++) await first.enqueue(event(i));
    await first.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const second = open({ deliver: false });
    await second.open();
    expect(second.stats()).toMatchObject({ pending: 20 });
    expect(second.stats().oldestPendingMs).toBeGreaterThanOrEqual(300);
  });

  it("takeDead takes each dead record away from the store (dead() lists none); deadLetter is its deprecated name", async () => {
    for (const option of ["takeDead", "deadLetter"] as const) {
      const { open } = await setup((_req, res) => reply(res, 422, { message: "unknown event" }));
      const taken: string[] = [];
      const outbox = open({ [option]: (record: { id: string }) => void taken.push(record.id) });
      await outbox.enqueue({ id: `e-${option}`, ...event(1) });
      await outbox.flush({ timeoutMs: 10_000 });
      expect(taken).toEqual([`e-${option}`]);
      const dead = [];
      for await (const record of outbox.dead()) dead.push(record);
      expect(dead).toEqual([]);
      await outbox.close();
    }
  });
});

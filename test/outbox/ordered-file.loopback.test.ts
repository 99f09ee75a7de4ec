// Ordered delivery on a fileStore, against a recording segment server on 127.0.0.1: records that share
// an ordering key (a segment change's user id) are delivered one at a time in the order enqueued,
// across retries, deaths and restarts, while records of other keys flow on.
import { describe, expect, it } from "vitest";
import { Enable3ValidationError } from "../../src/index.js";
import { createOutbox, fileStore, inspectOutbox, type OutboxDeadInfo, type OutboxOptions } from "../../src/outbox.js";
import { clientFor } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { registerTeardown } from "../helpers/teardown.js";
import { makeTempDir } from "../helpers/temp-dir.js";
import { expectedMembers, type Op, randomChanges, segmentServer, sorted } from "./ordered-kit.js";

/** How long the one failing user's requests are answered 503 (and at least until every other user's changes arrived). */
const WINDOW_MS = 10_000;

async function outboxOn(url: string, options: Partial<OutboxOptions> = {}, dir?: string) {
  const where = dir ?? (await makeTempDir("enable3-ordered"));
  const outbox = createOutbox(clientFor(url), { store: fileStore(where), initialDelayMs: 20, maxDelayMs: 60, ...options });
  registerTeardown(() => outbox.close({ timeoutMs: 0 }));
  return { outbox, dir: where };
}

/** Enqueues `changes` in program order, a few users' entries per call (each call splits per user). */
async function enqueueAll(outbox: Awaited<ReturnType<typeof outboxOn>>["outbox"], changes: Op[], perCall = 20) {
  for (let i = 0; i < changes.length; ) {
    // one call carries consecutive changes of one kind
    const kind = changes[i]!.op;
    const batch: Op[] = [];
    while (i < changes.length && batch.length < perCall && changes[i]!.op === kind) batch.push(changes[i++]!);
    const entries = batch.map(({ userId, segmentIds }) => ({ userId, segmentIds }));
    await (kind === "assign" ? outbox.assignSegments(entries) : outbox.removeSegments(entries));
  }
}

describe("ordered delivery per user (fileStore)", () => {
  it("200 users, random assigns and removes, one user answered 503 for a window: the others flow meanwhile, and every user ends as program order says", async () => {
    const stuck = "user-7";
    let windowEnds = Infinity;
    const changes = randomChanges(200, 8);
    const others = changes.filter((c) => c.userId !== stuck).length;
    const othersApplied = () => [...seg.applied].filter(([u]) => u !== stuck).reduce((n, [, k]) => n + k, 0);
    const seg = await segmentServer((userId) => {
      if (userId !== stuck) return false;
      windowEnds = Math.min(windowEnds, performance.now() + WINDOW_MS);
      // the window lasts WINDOW_MS, and until every other user's changes arrived: were they held
      // behind the failing user, it would never end and the test would time out
      return performance.now() < windowEnds || othersApplied() < others;
    });
    const { outbox } = await outboxOn(seg.server.url, { concurrency: 16 });
    await enqueueAll(outbox, changes);
    await outbox.flush({ timeoutMs: 120_000 });
    expect(seg.refused()).toBeGreaterThan(0);
    // every other user's change arrived while the one user had none through
    const firstOfStuck = seg.order.indexOf(stuck);
    expect(seg.order.slice(0, firstOfStuck).length).toBe(others);
    expect(seg.overlaps).toEqual([]); // one request at a time per user
    expect(sorted(seg.members)).toEqual(sorted(expectedMembers(changes)));
    expect(outbox.stats()).toMatchObject({ pending: 0, dead: 0 });
  }, 150_000);

  it("a remove enqueued after an assign that waits for a retry reaches the server after it, while another user's change goes first", async () => {
    let refuseU1 = true;
    // only the assign is refused: a remove sent past it would go through at once
    const seg = await segmentServer((u, method) => u === "u1" && method === "POST" && refuseU1);
    const { outbox } = await outboxOn(seg.server.url);
    await outbox.assignSegments([{ userId: "u1", segmentIds: ["vip"] }]);
    await outbox.removeSegments([{ userId: "u1", segmentIds: ["vip"] }]);
    await outbox.assignSegments([{ userId: "u2", segmentIds: ["gold"] }]);
    await expect.poll(() => seg.applied.get("u2"), { timeout: 20_000 }).toBe(1);
    expect(seg.applied.get("u1")).toBeUndefined();
    // u2's assign may get through before u1's first request reached the server: wait for u1's refusal
    await expect.poll(() => seg.refused()).toBeGreaterThan(0);
    expect(seg.applied.get("u1")).toBeUndefined();
    refuseU1 = false;
    await outbox.flush({ timeoutMs: 20_000 });
    expect(seg.log.filter((l) => l.userId === "u1").map((l) => l.method)).toEqual(["POST", "DELETE"]);
    expect(seg.server.requests.filter((r) => r.method === "DELETE")).toHaveLength(1); // never sent before the assign got through
    expect(sorted(seg.members)).toEqual(
      new Map([
        ["u1", []],
        ["u2", ["gold"]],
      ]),
    );
  });

  it("outbox.report() and inspectOutbox show pending segment records by kind and the user held back, and for how long", async () => {
    let refuseU1 = true;
    const seg = await segmentServer((u) => u === "u1" && refuseU1);
    const { outbox, dir } = await outboxOn(seg.server.url);
    await outbox.assignSegments([{ userId: "u1", segmentIds: ["vip"] }]);
    await outbox.removeSegments([{ userId: "u1", segmentIds: ["vip"] }]);
    await outbox.assignSegments([{ userId: "u1", segmentIds: ["gold"] }]);
    await outbox.assignSegments([{ userId: "u2", segmentIds: ["gold"] }]);
    await expect.poll(() => seg.applied.get("u2"), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => seg.refused(), { timeout: 20_000 }).toBeGreaterThan(0);
    // u2's record is settled (and its mark on disk) a moment after the server counted it: wait for both
    const pending = { assignSegments: 2, removeSegments: 1 };
    await expect.poll(async () => (await outbox.report()).pendingByKind).toEqual(pending);
    await expect.poll(async () => (await inspectOutbox(fileStore(dir)).status()).pendingByKind).toEqual(pending);
    for (const report of [await outbox.report(), await inspectOutbox(fileStore(dir)).status()]) {
      expect(report.pendingByKind).toEqual({ assignSegments: 2, removeSegments: 1 });
      expect(report.heldBack).toEqual([{ key: "u1", waiting: 2, pendingForMs: expect.any(Number) }]);
      expect(report.heldBack[0]!.pendingForMs).toBeGreaterThan(0);
    }
    refuseU1 = false;
    await outbox.flush({ timeoutMs: 20_000 });
    // the journal's settled marks reach the disk a moment after delivery: read until they have
    await expect
      .poll(async () => {
        const after = await outbox.report();
        return [after.pendingByKind, after.heldBack];
      })
      .toEqual([{}, []]);
  });

  it("a dead record releases the records behind it, and onDead says which key it released", async () => {
    let refusedOnce = false;
    let refusalAnswered = false;
    const deleteCameAfterRefusal: boolean[] = [];
    const server = await startScriptedServer((req, res) => {
      if (!refusedOnce && req.method === "POST") {
        refusedOnce = true;
        // answered late: a remove not held behind the assign would arrive meanwhile
        return server.later(150, () => {
          refusalAnswered = true;
          reply(res, 400, { message: "unknown segment" });
        });
      }
      if (req.method === "DELETE") deleteCameAfterRefusal.push(refusalAnswered);
      reply(res, 201);
    });
    const dead: OutboxDeadInfo[] = [];
    const { outbox } = await outboxOn(server.url, { onDead: (info) => dead.push(info) });
    const { ids } = await outbox.assignSegments([{ userId: "u1", segmentIds: ["nope"] }]);
    await outbox.removeSegments([{ userId: "u1", segmentIds: ["vip"] }]);
    await outbox.flush({ timeoutMs: 20_000 });
    expect(server.requests.map((r) => r.method)).toEqual(["POST", "DELETE"]);
    expect(deleteCameAfterRefusal).toEqual([true]);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ operation: "assignSegments", id: ids[0], released: "u1", status: 400 });
    expect(dead[0]!.record).toMatchObject({ kind: "assignSegments", body: [{ userId: "u1", segmentIds: ["nope"] }] });
  });

  it("order holds across a restart: a user's records read back from the journal wait behind the first, retry marks included", async () => {
    let refuse = true;
    const seg = await segmentServer((u) => u === "u1" && refuse);
    const first = await outboxOn(seg.server.url);
    await first.outbox.assignSegments([{ userId: "u1", segmentIds: ["vip"] }]);
    await first.outbox.removeSegments([{ userId: "u1", segmentIds: ["vip"] }]);
    await first.outbox.assignSegments([{ userId: "u1", segmentIds: ["gold"] }]);
    await expect.poll(() => seg.refused(), { timeout: 20_000 }).toBeGreaterThan(1);
    await first.outbox.close();
    refuse = false;
    const second = await outboxOn(seg.server.url, {}, first.dir);
    await second.outbox.flush({ timeoutMs: 20_000 });
    const applied = seg.server.requests.filter((r) => !r.body.includes("u2")).slice(-3);
    expect(applied.map((r) => [r.method, JSON.parse(r.body)[0].segmentIds[0]])).toEqual([
      ["POST", "vip"],
      ["DELETE", "vip"],
      ["POST", "gold"],
    ]);
    expect(sorted(seg.members)).toEqual(new Map([["u1", ["gold"]]]));
  });

  it("events with the same orderingKey go one at a time in order; events without one are not held back", async () => {
    let u2Arrived = false;
    const server = await startScriptedServer((req, res) => {
      const body = JSON.parse(req.body) as { value: number };
      u2Arrived ||= body.value === 100;
      if (body.value === 0 && !u2Arrived) return reply(res, 503); // u1's first waits for retries until u2's event is in
      reply(res, 201);
    });
    const { outbox } = await outboxOn(server.url, { concurrency: 8 });
    for (let i = 0; i < 20; i++) await outbox.enqueue({ userId: "u1", eventId: "deposit", value: i }, { orderingKey: "u1" });
    // u2's event once u1's first reached the server (and was refused): else it could let u1's first through at once
    await expect.poll(() => server.requests.length).toBeGreaterThan(0);
    await outbox.enqueue({ userId: "u2", eventId: "deposit", value: 100 });
    await outbox.flush({ timeoutMs: 20_000 });
    const values = server.requests.map((r) => (JSON.parse(r.body) as { value: number }).value);
    const keyed = values.filter((v) => v < 100);
    const refusals = keyed.lastIndexOf(0);
    expect(refusals).toBeGreaterThan(0);
    // the first tried until it passed, then the rest in order, none while it waited for a retry
    expect(keyed).toEqual([...Array.from({ length: refusals }, () => 0), ...Array.from({ length: 20 }, (_, i) => i)]);
  });

  it("assignSegments validates as the client does and stores nothing on bad input; orderingKey is not an option of it", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 201));
    const { outbox } = await outboxOn(server.url);
    await expect(
      outbox.assignSegments([
        { userId: "u1", segmentIds: ["vip"] },
        { userId: "", segmentIds: ["vip"] },
      ]),
    ).rejects.toThrow(Enable3ValidationError);
    await expect(outbox.removeSegments([{ userId: "u1", segmentIds: [] }])).rejects.toThrow(/assignments\[0\]\.segmentIds/);
    await expect(outbox.assignSegments([])).rejects.toThrow(Enable3ValidationError);
    await expect(outbox.assignSegments([{ userId: "u1", segmentIds: ["vip"] }], { orderingKey: "x" } as never)).rejects.toThrow(
      /options\.orderingKey/,
    );
    const { ids } = await outbox.assignSegments([
      { userId: "u1", segmentIds: ["vip"] },
      { userId: "u2", segmentIds: ["vip", "gold"] },
    ]);
    expect(ids).toHaveLength(2);
    await outbox.flush({ timeoutMs: 20_000 });
    expect(server.requests.map((r) => JSON.parse(r.body))).toEqual([
      [{ userId: "u1", segmentIds: ["vip"] }],
      [{ userId: "u2", segmentIds: ["vip", "gold"] }],
    ]);
    expect(outbox.stats()).toMatchObject({ pending: 0, delivered: 2 });
  });
});

describe("records held back behind a key (fileStore)", () => {
  it("past 65,536 held behind a key waiting for a retry, reading ahead pauses, told once to onError (held_back)", async () => {
    const seg = await segmentServer((u) => u === "u1"); // u1's first change never passes
    const errors: Error[] = [];
    const { outbox } = await outboxOn(seg.server.url, { onError: (error) => errors.push(error) });
    const ones = Array.from({ length: 1000 }, () => ({ userId: "u1", segmentIds: ["vip"] }));
    for (let i = 0; i < 66; i++) await outbox.assignSegments(ones);
    await outbox.assignSegments([{ userId: "u2", segmentIds: ["vip"] }]); // after the bound: not read yet
    await expect.poll(() => errors.length, { timeout: 60_000 }).toBeGreaterThan(0);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ name: "Enable3OutboxError", reason: "held_back" });
    const [, count] = /^(\d+) records of .* wait behind earlier records of their ordering key/.exec(errors[0]!.message) ?? [];
    expect(Number(count)).toBeGreaterThanOrEqual(65_536); // read a chunk at a time: a few past the bound
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seg.applied.get("u2")).toBeUndefined();
    expect(seg.refused()).toBeGreaterThan(0);
  }, 120_000);
});

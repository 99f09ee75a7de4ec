// Ordered delivery on a postgresStore (issue 35), on a real PostgreSQL with three workers in this
// process: 200 keys' events in a random interleaving, one key answered 503 until every other key is
// through (the others never wait for it), then each key's requests arrived in enqueue order. A dead
// record releases the ones behind it, and replayed goes behind its key's later ones; keyless events are not
// held back by a stuck key.
import { describe, expect, it } from "vitest";
import { createOutbox, type OutboxOptions, postgresStore } from "../../src/outbox.js";
import { clientFor } from "../helpers/client.js";
import { type RecordedRequest, reply, startScriptedServer } from "../helpers/http-server.js";
import { createTestDatabase } from "../helpers/postgres.js";
import { registerTeardown } from "../helpers/teardown.js";
import { type Arrival, arrivalOf, enqueueAll, interleaving, inversions, missing } from "./ordered-postgres-kit.js";

async function setup(answer: (arrival: Arrival, request: RecordedRequest) => number | undefined) {
  const db = await createTestDatabase();
  const arrivals: Arrival[] = [];
  const delivered = new Set<string>();
  const server = await startScriptedServer((request, res) => {
    const arrival = arrivalOf(request.body);
    arrivals.push(arrival);
    const status = answer(arrival, request) ?? 201;
    if (status < 300) delivered.add(`${arrival.key}-${arrival.value}`);
    server.later(Math.floor(Math.random() * 4), () => reply(res, status));
  });
  // a lease long enough that no stall of this loaded machine outlives it (order holds while leases do)
  const store = () => postgresStore(db.pool, { pollIntervalMs: 20, leaseMs: 10_000, batchSize: 50 });
  await store().migrate();
  const open = (options: Partial<OutboxOptions> = {}) => {
    const outbox = createOutbox(clientFor(server.url), { store: store(), initialDelayMs: 20, maxDelayMs: 80, ...options });
    registerTeardown(() => outbox.close({ timeoutMs: 0 }));
    return outbox;
  };
  return { db, server, open, arrivals, delivered };
}

describe("ordered delivery on a postgresStore", () => {
  it("200 keys in a random interleaving, one answered 503 until all others are through: the others keep flowing, each key arrives in enqueue order", async () => {
    let stuck = true;
    const { open, arrivals, delivered } = await setup((a) => (stuck && a.key === "k7" ? 503 : undefined));
    const steps = interleaving(200, 6);
    const workers = [open({ concurrency: 8 }), open({ concurrency: 8 }), open({ concurrency: 8 })];
    await enqueueAll(open({ deliver: false }), steps); // enqueued while the workers deliver
    const others = steps.filter((s) => s.key !== "k7");
    await expect.poll(() => missing(others, delivered).length, { timeout: 60_000, interval: 50 }).toBe(0);
    // the stuck key's first record was tried again and again; nothing behind it went out
    const k7 = arrivals.filter((a) => a.key === "k7");
    expect(k7.length).toBeGreaterThan(1);
    expect(k7.filter((a) => a.value !== 0)).toEqual([]);
    stuck = false;
    await Promise.all(workers.map((w) => w.flush({ timeoutMs: 30_000 })));
    expect(missing(steps, delivered)).toEqual([]);
    expect(inversions(arrivals)).toEqual([]);
  }, 120_000);

  it("a dead record releases the records behind it, and onDead tells it", async () => {
    const { open, arrivals, delivered } = await setup((a) => (a.key === "k0" && a.value === 1 ? 400 : undefined));
    const dead: string[] = [];
    const worker = open({ concurrency: 4, onDead: (record) => void dead.push(record.id) });
    await enqueueAll(open({ deliver: false }), interleaving(3, 4));
    await worker.flush({ timeoutMs: 30_000 });
    expect(dead).toEqual(["k0-1"]);
    expect(arrivals.filter((a) => a.key === "k0").map((a) => a.value)).toEqual([0, 1, 2, 3]);
    expect(missing(interleaving(3, 4), delivered)).toEqual(["k0-1"]);
    expect(inversions(arrivals)).toEqual([]);
  });

  it("a replayed dead record goes behind its key's later records, as on a fileStore, not back to its old place", async () => {
    let refuse = true;
    const { open, arrivals } = await setup((a) => (refuse && a.value === 0 ? 400 : undefined));
    const step = (value: number) => ({ id: `k0-${value}`, userId: "k0", eventId: "step", value });
    const worker = open({ concurrency: 4 });
    await worker.enqueue(step(0), { orderingKey: "k0" });
    await worker.flush({ timeoutMs: 30_000 });
    await worker.close();
    refuse = false;
    const enqueuer = open({ deliver: false });
    await enqueuer.enqueue(step(1), { orderingKey: "k0" });
    expect(await enqueuer.replay()).toMatchObject({ replayed: 1 });
    await open({ concurrency: 4 }).flush({ timeoutMs: 30_000 });
    expect(arrivals.map((a) => a.value)).toEqual([0, 1, 0]); // refused, then the later record, then the replay
  });

  it("a key whose head waits for a retry holds back its own records only, never keyless ones", async () => {
    let stuck = true;
    const { open, arrivals, delivered } = await setup((a) => (stuck && a.key === "k0" ? 503 : undefined));
    const worker = open({ concurrency: 2 });
    const enqueuer = open({ deliver: false });
    await enqueueAll(enqueuer, interleaving(1, 3));
    for (let i = 0; i < 20; i++) await enqueuer.enqueue({ id: `free-${i}`, userId: "free", eventId: "step", value: i });
    await expect.poll(() => arrivals.filter((a) => a.key === "free").length, { timeout: 30_000 }).toBe(20);
    expect(arrivals.filter((a) => a.key === "k0" && a.value > 0)).toEqual([]);
    // what `enable3 outbox status` and the operations page show: the key held back, and for how long
    // the server has answered the 20 keyless events; their settlements may still be on the way (a
    // loaded CI run reported one still pending): wait for the store to count only k0's three
    await expect.poll(async () => (await worker.report()).pendingByKind).toEqual({ event: 3 });
    const report = await worker.report();
    expect(report.heldBack).toEqual([{ key: "k0", waiting: 2, pendingForMs: expect.any(Number) }]);
    expect(report.heldBack[0]!.pendingForMs).toBeGreaterThan(0);
    stuck = false;
    await worker.flush({ timeoutMs: 30_000 });
    expect(missing(interleaving(1, 3), delivered)).toEqual([]);
    expect(inversions(arrivals.filter((a) => a.key !== "free"))).toEqual([]);
  });

  it("a retried head moves its key's later rows behind it in the due order, so claims do not look at them while it waits", async () => {
    const { db, open, arrivals } = await setup((a) => (a.key === "k0" ? 503 : undefined));
    // all five stored before the worker starts: a head settled before its key's later rows were inserted
    // has nothing behind it to move (a loaded CI run saw k0-1… inserted after k0-0's retry)
    await enqueueAll(open({ deliver: false }), interleaving(1, 5));
    const worker = open({ concurrency: 2, initialDelayMs: 60_000, maxDelayMs: 60_000 });
    await expect.poll(() => arrivals.length, { timeout: 30_000 }).toBe(1);
    const rows = async () =>
      (
        await db.pool.query(
          `SELECT id, attempts, not_before > now() + interval '20 seconds' AS waits FROM public.enable3_outbox ORDER BY seq`,
        )
      ).rows;
    await expect.poll(async () => (await rows())[0]?.attempts, { timeout: 10_000 }).toBe(1);
    expect(await rows()).toEqual(["k0-0", "k0-1", "k0-2", "k0-3", "k0-4"].map((id, i) => ({ id, attempts: i === 0 ? 1 : 0, waits: true })));
    await worker.close({ timeoutMs: 0 });
  });

  it("a worker whose lease ran out and was claimed again cannot delete the row on delivery: the key's next row waits for the new holder", async () => {
    const db = await createTestDatabase();
    const store = postgresStore(db.pool, { leaseMs: 30_000, pollIntervalMs: 10 });
    await store.migrate();
    const env = { onError: (error: Error) => void errors.push(error) };
    const errors: Error[] = [];
    const [a, b] = [await store.open(env), await store.open(env)];
    registerTeardown(() => Promise.all([a.close(), b.close()]));
    const record = (value: number) => ({ kind: "event" as const, id: `k-${value}`, body: { value }, orderingKey: "k" });
    await a.add([record(0), record(1)]);
    const taken = (await a.take(10, new AbortController().signal)).map((r) => r.id);
    expect(taken).toEqual(["k-0"]);
    // a stalls past its lease: it runs out
    await db.pool.query("UPDATE public.enable3_outbox SET lease_until = now() - interval '1 second' WHERE id = 'k-0'");
    expect((await b.take(10, new AbortController().signal)).map((r) => r.id)).toEqual(["k-0"]); // b sends k-0 again
    await a.settle([
      { key: (await db.pool.query("SELECT seq::text FROM public.enable3_outbox WHERE id = 'k-0'")).rows[0].seq, outcome: "delivered" },
    ]);
    // k-0 is b's now: a's delivery deleted nothing, so k-1 is not handed out while b's k-0 is in flight
    expect((await db.pool.query("SELECT id FROM public.enable3_outbox ORDER BY seq")).rows.map((r) => r.id)).toEqual(["k-0", "k-1"]);
    expect(errors).toEqual([]);
  });
});

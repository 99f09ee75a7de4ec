// The outbox on a postgresStore under faults: maxPending between two counts of the table, input the
// database refuses (a NUL) next to good records and inside the caller's transaction.
import { describe, expect, it } from "vitest";
import { createOutbox, type OutboxOptions, postgresStore } from "../../src/outbox.js";
import { tableName } from "../../src/postgres/identifiers.js";
import { clientFor } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { createTestDatabase } from "../helpers/postgres.js";
import { registerTeardown } from "../helpers/teardown.js";

const table = tableName("public", "outbox");
const event = (i: number) => ({ userId: "u", eventId: "deposit", value: i });

async function setup(handler: Parameters<typeof startScriptedServer>[0]) {
  const db = await createTestDatabase();
  const server = await startScriptedServer(handler);
  // a lease no stall of a loaded machine outlasts: a lapsed one lets the next claim (the same worker's
  // too) send a row in flight again; no test here is about a lease
  const store = (more = {}) => postgresStore(db.pool, { pollIntervalMs: 20, leaseMs: 30_000, ...more });
  await store().migrate();
  const open = (options: Partial<OutboxOptions> = {}, storeOptions = {}) => {
    const outbox = createOutbox(clientFor(server.url), { store: store(storeOptions), initialDelayMs: 20, maxDelayMs: 50, ...options });
    registerTeardown(() => outbox.close({ timeoutMs: 0 }));
    return outbox;
  };
  const rows = async () => (await db.pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;
  return { db, server, open, rows };
}

describe("outbox on a postgresStore, under faults", () => {
  it("maxPending holds across this process's own enqueues between two counts, sequential or concurrent", async () => {
    const { open, rows } = await setup((_req, res) => reply(res, 201));
    const outbox = open({ deliver: false, maxPending: 100 }, { statsIntervalMs: 60_000 });
    await outbox.open();
    let stored = 0;
    for (let i = 0; i < 300; i++) {
      const ok = await outbox.enqueue(event(i)).then(
        () => true,
        (e) => (e.reason === "full" ? false : Promise.reject(e)),
      );
      if (ok) stored++;
    }
    expect(stored).toBe(100);
    const more = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => outbox.enqueue(event(1000 + i))));
    expect(more.filter((r) => r.status === "fulfilled")).toHaveLength(0);
    expect(await rows()).toBe(100);
  });

  it("a NUL in eventTags or context is refused by our checks; inside { tx } the caller's transaction goes on", async () => {
    const { db, open, rows } = await setup((_req, res) => reply(res, 201));
    const outbox = open({ deliver: false });
    const bad = [
      outbox.enqueue({ ...event(1), eventTags: ["vip\u0000"] }),
      outbox.enqueue(event(2), { context: { note: "a\u0000b" } }),
      outbox.enqueue(event(3), { context: { ["k\u0000"]: 1 } }),
    ];
    const good = Array.from({ length: 6 }, (_, i) => outbox.enqueue(event(10 + i), { context: { line: "two\nlines" } }));
    for (const result of await Promise.allSettled(bad))
      expect(result).toMatchObject({ status: "rejected", reason: { name: "Enable3ValidationError" } });
    await Promise.all(good);
    expect(await rows()).toBe(6);
    const tx = await db.pool.connect();
    try {
      await tx.query("BEGIN");
      await tx.query("CREATE TABLE deposits (amount int)");
      await expect(outbox.enqueue(event(4), { tx, context: "\u0000" })).rejects.toMatchObject({ name: "Enable3ValidationError" });
      await tx.query("INSERT INTO deposits VALUES (4)"); // the transaction is not aborted
      await outbox.enqueue(event(5), { tx });
      await tx.query("COMMIT");
    } finally {
      tx.release();
    }
    expect(await rows()).toBe(7);
  });

  it("a record the database refuses fails its own enqueue only, never the others inserted with it", async () => {
    const { db, open, rows } = await setup((_req, res) => reply(res, 201));
    // a row-level refusal our checks cannot know about (an operator's constraint)
    await db.pool.query(`ALTER TABLE ${table} ADD CONSTRAINT no_refuse CHECK (context IS NULL OR context->>'refuse' IS NULL)`);
    const outbox = open({ deliver: false });
    const results = await Promise.allSettled(
      Array.from({ length: 9 }, (_, i) => outbox.enqueue(event(i), i === 4 ? { context: { refuse: true } } : {})),
    );
    expect(results.map((r) => r.status)).toEqual([...Array(4).fill("fulfilled"), "rejected", ...Array(4).fill("fulfilled")]);
    expect(results[4]).toMatchObject({ reason: { name: "Enable3OutboxError", reason: "write_failed" } });
    expect(await rows()).toBe(8);
  });

  it("a row whose wait is further ahead than maxDelayMs (the clock stepped back since) is sent without that wait", async () => {
    const { db, server, open } = await setup((_req, res) => reply(res, 201));
    const enqueuer = open({ deliver: false });
    await enqueuer.enqueue({ id: "e1", ...event(1) });
    await db.pool.query(`UPDATE ${table} SET not_before = now() + interval '1 hour', attempts = 1`);
    const worker = open({ maxDelayMs: 200 });
    await worker.flush({ timeoutMs: 10_000 });
    expect(server.requests.map((r) => JSON.parse(r.body).id)).toEqual(["e1"]);
  });

  it("no head-of-line stall: 400 rows the API fails for ever do not hold back 300 healthy ones behind them", async () => {
    const value = (r: { body: string }) => (JSON.parse(r.body) as { value: number }).value;
    const { server, open } = await setup((req, res) => reply(res, value(req) < 400 ? 500 : 201));
    const enqueuer = open({ deliver: false });
    for (let i = 0; i < 700; i += 100) await Promise.all(Array.from({ length: 100 }, (_, j) => enqueuer.enqueue(event(i + j))));
    const worker = open({ concurrency: 16, initialDelayMs: 500, maxDelayMs: 2_000 });
    await worker.open();
    await expect.poll(() => server.requests.filter((r) => value(r) >= 400).length, { timeout: 60_000 }).toBe(300);
    await expect.poll(() => worker.stats().delivered).toBe(300);
  }, 90_000);
});

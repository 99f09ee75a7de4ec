// The outbox on a postgresStore, on a real PostgreSQL: enqueue inside the caller's transaction (rolled
// back: never sent; committed: always sent), workers sharing rows without double sends, a dead
// worker's lease running out, dead rows and replay, delivered rows deleted.
import { describe, expect, it } from "vitest";
import { createOutbox, type OutboxOptions, postgresStore } from "../../src/outbox.js";
import { tableName } from "../../src/postgres/identifiers.js";
import { claimStatement } from "../../src/postgres/leases.js";
import { withTransaction } from "../../src/postgres/sql-client.js";
import { clientFor } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { createTestDatabase } from "../helpers/postgres.js";
import { registerTeardown } from "../helpers/teardown.js";

const body = (r: { body: string }) => JSON.parse(r.body) as { id: string; value: number };
const table = tableName("public", "outbox");

async function setup(handler: Parameters<typeof startScriptedServer>[0]) {
  const db = await createTestDatabase();
  const server = await startScriptedServer(handler);
  // a lease no stall of a loaded machine outlasts: a lapsed one lets another worker send the row again,
  // and no test here is about a live worker's lease (the dead worker's is its own, claimed by hand)
  const store = (more = {}) => postgresStore(db.pool, { pollIntervalMs: 20, leaseMs: 30_000, ...more });
  await store().migrate();
  const open = (options: Partial<OutboxOptions> = {}) => {
    const outbox = createOutbox(clientFor(server.url), { store: store(), initialDelayMs: 20, maxDelayMs: 50, ...options });
    registerTeardown(() => outbox.close({ timeoutMs: 0 }));
    return outbox;
  };
  return { db, server, open, store };
}

describe("outbox on a postgresStore", () => {
  it("migrate is idempotent: the second run applies nothing", async () => {
    const { store } = await setup((_req, res) => reply(res, 201));
    expect(await store().migrate()).toEqual({ applied: [] });
  });

  it("an event enqueued in a transaction that rolls back is never sent; one that commits always is; delivered rows are deleted", async () => {
    const { db, server, open } = await setup((_req, res) => reply(res, 201));
    await db.pool.query("CREATE TABLE deposits (id serial PRIMARY KEY, amount int)");
    const outbox = open();
    const committed: string[] = [];
    for (let i = 0; i < 20; i++) {
      const rollBack = i % 3 === 0;
      await withTransaction(db.pool, async (tx) => {
        await tx.query("INSERT INTO deposits (amount) VALUES ($1)", [i]);
        const { id } = await outbox.enqueue({ userId: "u", eventId: "deposit", value: i }, { tx });
        if (rollBack) throw new Error("deposit refused");
        committed.push(id);
      }).catch((error) => expect(error.message).toBe("deposit refused"));
    }
    await outbox.flush();
    expect(server.requests.map((r) => body(r).id).sort()).toEqual(committed.sort());
    expect(server.requests.map((r) => body(r).value % 3).filter((v) => v === 0)).toEqual([]);
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n).toBe(0);
  });

  it("three workers share 600 events: each is sent once", async () => {
    const { server, open } = await setup((_req, res) => void setTimeout(() => reply(res, 201), 2));
    const workers = [open({ concurrency: 4 }), open({ concurrency: 4 }), open({ concurrency: 4 })];
    const ids = await Promise.all(
      Array.from({ length: 600 }, (_, i) => workers[i % 3]!.enqueue({ userId: "u", eventId: "deposit", value: i })),
    );
    await Promise.all(workers.map((w) => w.flush()));
    const sent = server.requests.map((r) => body(r).id);
    expect(sent).toHaveLength(600);
    expect(new Set(sent)).toEqual(new Set(ids.map((r) => r.id)));
  }, 60_000); // 12 s alone on a loaded two-core machine, before and after NOTIFY: counts are asserted, not time

  it("rows a dead worker claimed are sent by another once its lease runs out", async () => {
    const { db, server, open } = await setup((_req, res) => reply(res, 201));
    const enqueuer = open({ deliver: false });
    for (let i = 0; i < 5; i++) await enqueuer.enqueue({ id: `e${i}`, userId: "u", eventId: "deposit", value: i });
    // a worker that claimed every row for 300 ms and then died
    const claim = claimStatement({ table, key: "seq", where: "state = 'pending'", orderBy: "seq" });
    expect((await db.pool.query(claim, ["dead-worker", 300, 100])).rows).toHaveLength(5);
    const started = performance.now();
    const worker = open();
    await worker.flush();
    expect(performance.now() - started).toBeGreaterThan(250);
    expect(server.requests.map((r) => body(r).id).sort()).toEqual(["e0", "e1", "e2", "e3", "e4"]);
  });

  it("a 4xx becomes a dead row with the API's reason; replay sends it again with its id; stats reads the table", async () => {
    let refuse = true;
    const { server, open } = await setup((req, res) =>
      refuse && body(req).value === 2 ? reply(res, 400, { message: "unknown event" }) : reply(res, 201),
    );
    const outbox = open();
    for (let i = 0; i < 4; i++)
      await outbox.enqueue({ id: `e${i}`, userId: "u", eventId: "deposit", value: i }, { context: { deposit: i } });
    await outbox.flush();
    const dead = [];
    for await (const record of outbox.dead()) dead.push(record);
    expect(dead).toMatchObject([
      {
        id: "e2",
        kind: "event",
        attempts: 1,
        context: { deposit: 2 },
        error: { status: 400, message: expect.stringMatching(/unknown event/) },
      },
    ]);
    refuse = false;
    expect(await outbox.replay()).toEqual({ replayed: 1 });
    await outbox.flush();
    expect(server.requests.map((r) => body(r).id).filter((id) => id === "e2")).toEqual(["e2", "e2"]);
  });
});

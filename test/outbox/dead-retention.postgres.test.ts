// Dead rows' retention on a real PostgreSQL: 100,000 dead rows past deadRetentionMs are purged by the
// worker at start, in batches of 1,000 that skip rows another transaction holds, while new events are
// delivered; purge() counts (dryRun) and removes; listing keeps diedAt.
import { describe, expect, it } from "vitest";
import { createOutbox, type DeadRecord, postgresStore } from "../../src/outbox.js";
import { tableName } from "../../src/postgres/identifiers.js";
import type { SqlPool } from "../../src/postgres/sql-client.js";
import { clientFor } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { createTestDatabase } from "../helpers/postgres.js";
import { registerTeardown } from "../helpers/teardown.js";

const table = tableName("public", "outbox");
const DAY = 86_400_000;

/** The pool, with every statement's text recorded. */
function recording(pool: SqlPool) {
  const statements: string[] = [];
  const wrapped: SqlPool = {
    query: (text, values) => {
      statements.push(text);
      return pool.query(text, values);
    },
    connect: () => pool.connect(),
  };
  return { wrapped, statements };
}

async function insertDead(pool: SqlPool, count: number, diedDaysAgo: number, prefix: string) {
  await pool.query(
    `INSERT INTO ${table} (kind, id, body, state, attempts, last_error, died_at)
SELECT 'event', $1 || g, jsonb_build_object('id', $1 || g), 'dead', 1, '{"name":"Enable3BadRequestError","code":"http_error","message":"bad user","status":422}', now() - make_interval(days => $2)
FROM generate_series(1, $3) AS g`,
    [prefix, diedDaysAgo, count],
  );
}

describe("dead rows' retention (postgresStore)", () => {
  it("100,000 dead rows are purged in batches of 1,000 that skip held rows, while 300 new events are delivered", async () => {
    const db = await createTestDatabase();
    const server = await startScriptedServer((_req, res) => reply(res, 201));
    await postgresStore(db.pool).migrate();
    await insertDead(db.pool, 100_000, 40, "old-");
    await insertDead(db.pool, 5, 1, "new-");
    // another transaction holds 10 of the old rows: the purge goes around them, never waits for them
    const holder = await db.pool.connect();
    registerTeardown(async () => {
      await holder.query("ROLLBACK").catch(() => {});
      holder.release();
    });
    await holder.query("BEGIN");
    await holder.query(
      `SELECT seq FROM ${table} WHERE id IN (${Array.from({ length: 10 }, (_, i) => `'old-${i + 1}'`).join(",")}) FOR UPDATE`,
    );

    const { wrapped, statements } = recording(db.pool);
    const outbox = createOutbox(clientFor(server.url), { store: postgresStore(wrapped, { pollIntervalMs: 20 }), concurrency: 8 });
    registerTeardown(() => outbox.close({ timeoutMs: 0 }));
    const ids = await Promise.all(Array.from({ length: 300 }, (_, i) => outbox.enqueue({ userId: "u", eventId: "deposit", value: i })));
    await outbox.flush({ timeoutMs: 60_000 });
    expect(new Set(server.requests.map((r) => (JSON.parse(r.body) as { id: string }).id))).toEqual(new Set(ids.map((r) => r.id)));

    const dead = async () => (await db.pool.query(`SELECT count(*)::int AS n FROM ${table} WHERE state = 'dead'`)).rows[0].n as number;
    await expect.poll(dead, { timeout: 60_000 }).toBe(15);
    const deletes = statements.filter((s) => s.startsWith("DELETE") && s.includes("LIMIT 1000") && s.includes("SKIP LOCKED"));
    expect(deletes.length).toBeGreaterThanOrEqual(100);

    await holder.query("ROLLBACK");
    expect(await outbox.purge({ olderThanMs: 30 * DAY, dryRun: true })).toEqual({ purged: 10 });
    expect(await outbox.purge({ olderThanMs: 30 * DAY })).toEqual({ purged: 10 });
    const left: DeadRecord[] = [];
    for await (const record of outbox.dead()) left.push(record);
    expect(left.map((r) => r.id).sort()).toEqual(["new-1", "new-2", "new-3", "new-4", "new-5"]);
    for (const r of left) expect(Math.abs(r.diedAt - (Date.now() - DAY))).toBeLessThan(60_000);
    expect(left[0]!.error).toMatchObject({ status: 422, message: "bad user" });
  }, 120_000);

  it("a record that dies now keeps died_at; Infinity keeps dead rows at start", async () => {
    const db = await createTestDatabase();
    const server = await startScriptedServer((_req, res) => reply(res, 422, { message: "no such user" }));
    await postgresStore(db.pool).migrate();
    await insertDead(db.pool, 3, 400, "ancient-");
    const outbox = createOutbox(clientFor(server.url), {
      store: postgresStore(db.pool, { pollIntervalMs: 20 }),
      deadRetentionMs: Number.POSITIVE_INFINITY,
    });
    registerTeardown(() => outbox.close({ timeoutMs: 0 }));
    const before = Date.now();
    const { id } = await outbox.enqueue({ userId: "u", eventId: "deposit", value: 1 });
    await outbox.flush({ timeoutMs: 30_000 });
    const dead: DeadRecord[] = [];
    for await (const record of outbox.dead()) dead.push(record);
    expect(dead).toHaveLength(4);
    const fresh = dead.find((r) => r.id === id)!;
    expect(fresh.diedAt).toBeGreaterThanOrEqual(before - 5_000);
    // a purge also forgets the status rows of workers not heard from in a day
    await db.pool.query(
      `INSERT INTO public.enable3_outbox_workers (owner, status, updated_at) VALUES ('gone', '{"state":"open"}', now() - interval '2 days')`,
    );
    expect(await outbox.purge({ olderThanMs: 1_000 * DAY })).toEqual({ purged: 0 });
    const owners = (await db.pool.query("SELECT owner FROM public.enable3_outbox_workers")).rows.map((r) => r.owner);
    expect(owners).not.toContain("gone");
    expect(owners).toHaveLength(1); // this worker's own row
  });
});

// A postgresStore session on a real PostgreSQL: it claims the next batch while the current one is in
// flight (read-ahead), and settles a batch of every outcome in one statement.
import { describe, expect, it } from "vitest";
import type { StoredRecord } from "../../src/outbox/contract.js";
import { postgresStore } from "../../src/outbox.js";
import { tableName } from "../../src/postgres/identifiers.js";
import type { SqlPool } from "../../src/postgres/sql-client.js";
import { createTestDatabase } from "../helpers/postgres.js";
import { registerTeardown } from "../helpers/teardown.js";

const table = tableName("public", "outbox");
const failure = { name: "Enable3Error", code: "http_error", message: "no", status: 500 };

async function setup(batchSize: number) {
  const db = await createTestDatabase();
  let statements = 0;
  const counted: SqlPool = {
    query: (text, values) => {
      statements++;
      return db.pool.query(text, values);
    },
    connect: () => db.pool.connect(),
  };
  const store = postgresStore(counted, { batchSize, pollIntervalMs: 50 });
  await store.migrate();
  const session = await store.open({ onError: (e) => expect.fail(e.message) });
  registerTeardown(() => session.close());
  const records = Array.from({ length: 10 }, (_, i) => ({ kind: "event" as const, id: `e${i}`, body: { id: `e${i}` } }));
  await session.add(records);
  const leased = async () => (await db.pool.query(`SELECT count(*)::int AS n FROM ${table} WHERE lease_owner IS NOT NULL`)).rows[0].n;
  return { db, session, leased, statements: () => statements };
}

describe("a postgresStore session", () => {
  it("claims the next batch while the current one is in flight, and hands it out without a round trip", async () => {
    const { session, leased, statements } = await setup(4);
    const controller = new AbortController();
    const first = await session.take(100, controller.signal);
    expect(first.map((r) => r.id).sort()).toEqual(["e0", "e1", "e2", "e3"]);
    await expect.poll(leased).toBe(8); // the next four were claimed meanwhile
    const before = statements();
    const second = await session.take(100, controller.signal);
    expect(second.map((r) => r.id).sort()).toEqual(["e4", "e5", "e6", "e7"]);
    expect(statements() - before).toBe(1); // the read-ahead of the batch after (it was full)
  });

  it("settles delivered, retried, dead and released records of one batch in one statement", async () => {
    const { db, session, statements } = await setup(100);
    const taken: StoredRecord[] = await session.take(4, new AbortController().signal);
    const key = (id: string) => taken.find((r) => r.id === id)!.key; // a claim returns its rows in no set order
    const [a, b, c, d] = ["e0", "e1", "e2", "e3"].map(key) as [string, string, string, string];
    const before = statements();
    await session.settle([
      { key: a, outcome: "delivered" },
      { key: b, outcome: "retry", attempts: 1, delayMs: 60_000, error: failure },
      { key: c, outcome: "dead", attempts: 3, error: failure },
      { key: d, outcome: "released" },
    ]);
    expect(statements() - before).toBe(1);
    const { rows } = await db.pool.query(
      `SELECT id, state, attempts, lease_owner, not_before > now() + interval '30 seconds' AS later, last_error->>'code' AS code FROM ${table} WHERE id = ANY($1) ORDER BY id`,
      [["e0", "e1", "e2", "e3"]],
    );
    expect(rows).toEqual([
      { id: "e1", state: "pending", attempts: 1, lease_owner: null, later: true, code: "http_error" },
      { id: "e2", state: "dead", attempts: 3, lease_owner: null, later: false, code: "http_error" },
      { id: "e3", state: "pending", attempts: 0, lease_owner: null, later: false, code: null },
    ]);
    expect(session.counts()).toMatchObject({ dead: 1 });
  });
});

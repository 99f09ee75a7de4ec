// handlerTimeoutMs on a real PostgreSQL: a handler that wrote its credit through `tx` and then never
// returns (or hangs inside a query) leaves no session idle in transaction after its deadline, its
// credit is rolled back, and the redelivery runs the handler once and commits.
import type pg from "pg";
import { describe, expect, it } from "vitest";
import { createWithdrawalReceiver, postgresStore, signCallback } from "../../src/callback.js";
import { createTestDatabase } from "../helpers/postgres.js";

const SECRET = "pg-deadline-secret-2b";
const body = (id: string) =>
  `{"userId":"u","amount":10.00,"tokenAmount":1000,"tokenRate":0.01,"transactionId":"${id}","createdAt":"2026-11-23T10:00:00.000000"}`;
const deliver = (raw: string) =>
  new Request("http://x/", { method: "POST", body: raw, headers: { "x-request-signature": signCallback(raw, SECRET) } });

async function setup(hang: (tx: pg.PoolClient) => Promise<unknown>) {
  const db = await createTestDatabase();
  await db.pool.query("CREATE TABLE ledger (id serial PRIMARY KEY, transaction_id text NOT NULL)");
  const runs: string[] = [];
  const receiver = createWithdrawalReceiver({
    secrets: [SECRET],
    store: postgresStore<pg.PoolClient>(db.pool),
    logger: null,
    handlerTimeoutMs: 2_000, // the first run never ends, whatever its length; the redelivery's must end within it, loaded or not
    async onWithdrawal(w, { tx }) {
      runs.push(w.transactionId);
      await tx.query("INSERT INTO ledger (transaction_id) VALUES ($1)", [w.transactionId]);
      if (runs.length === 1) await hang(tx);
    },
  });
  /** Sessions on this database other than the one asking, by state. */
  const sessions = async () =>
    (
      await db.pool.query(
        "SELECT state, query FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
        [db.name],
      )
    ).rows as { state: string; query: string }[];
  const credits = async () => (await db.pool.query("SELECT transaction_id FROM ledger")).rows.map((r) => r.transaction_id);
  return { db, runs, receiver, sessions, credits };
}

describe("postgresStore: a handler past handlerTimeoutMs", () => {
  it.each([
    ["never returns after writing its credit", (_tx: pg.PoolClient) => new Promise(() => {})],
    ["hangs inside a query on tx", (tx: pg.PoolClient) => tx.query("SELECT pg_sleep(3600)")],
  ])("one that %s: 503, no session left in its transaction, the redelivery pays once", async (_name, hang) => {
    const { runs, receiver, sessions, credits } = await setup(hang);
    const first = await receiver.fetch(deliver(body("tx-wedged")));
    expect(first.status).toBe(503);
    expect(await first.json()).toMatchObject({ error: "handler-timeout", transactionId: "tx-wedged" });
    await expect.poll(async () => (await sessions()).filter((s) => s.state !== "idle" || /pg_sleep/.test(s.query))).toEqual([]);
    expect(await credits()).toEqual([]);

    const second = await receiver.fetch(deliver(body("tx-wedged")));
    expect(second.status).toBe(200);
    expect(runs).toEqual(["tx-wedged", "tx-wedged"]);
    expect(await credits()).toEqual(["tx-wedged"]);
    expect((await receiver.fetch(deliver(body("tx-wedged")))).status).toBe(200);
    expect(runs).toHaveLength(2);
  });
});

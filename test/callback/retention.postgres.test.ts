// Withdrawal marks' lifetime on a real PostgreSQL: purge() removes only marks older than retentionMs
// plus a margin, in short batches; a callback still inside retention whose table was purged is paid
// once (its mark was kept), an old replay whose mark went is refused, never paid again.
import type pg from "pg";
import { describe, expect, it } from "vitest";
import { createWithdrawalReceiver, formatCallbackDate, postgresStore, signCallback } from "../../src/callback.js";
import type { SqlPool } from "../../src/postgres/sql-client.js";
import { createTestDatabase } from "../helpers/postgres.js";

const SECRET = "retention-pg-secret-3a";
const DAY = 24 * 60 * 60 * 1000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY);
const LEDGER = "CREATE TABLE ledger (id serial PRIMARY KEY, transaction_id text NOT NULL, amount numeric NOT NULL)";

describe("postgresStore: marks kept for retentionMs, purged after", () => {
  it("a purged table pays a redelivery inside retention once, refuses an old replay, keeps recent marks", async () => {
    const db = await createTestDatabase();
    await db.pool.query(LEDGER);
    const store = postgresStore<pg.PoolClient>(db.pool);
    const receiver = (retentionMs: number) =>
      createWithdrawalReceiver({
        secrets: [SECRET],
        store,
        logger: null,
        retentionMs,
        onWithdrawal: (w, { tx }) => tx.query("INSERT INTO ledger (transaction_id, amount) VALUES ($1, $2)", [w.transactionId, w.amount]),
      });
    const tenDays = receiver(10 * DAY);
    const hundredDays = receiver(100 * DAY); // accepted an old one, before the retention was shortened
    const deliver = async (to: ReturnType<typeof receiver>, id: string, createdAt: Date) => {
      const body = `{"userId":"u","amount":10.00,"tokenAmount":1000,"tokenRate":0.01,"transactionId":"${id}","createdAt":"${formatCallbackDate(createdAt)}"}`;
      const response = await to.fetch(
        new Request("http://x/", { method: "POST", body, headers: { "x-request-signature": signCallback(body, SECRET) } }),
      );
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const inside = daysAgo(9);
    const old = daysAgo(20);
    expect((await deliver(tenDays, "tx-recent", new Date())).status).toBe(200);
    expect((await deliver(tenDays, "tx-inside", inside)).status).toBe(200);
    expect((await deliver(hundredDays, "tx-old", old)).status).toBe(200);
    // the old mark arrived 20 days ago too (purge needs the arrival older than its cutoff as well)
    await db.pool.query("UPDATE enable3_withdrawals SET received_at = $1 WHERE transaction_id = 'tx-old'", [old]);

    expect(await tenDays.purge()).toBe(1); // before: now - 10 days - 1 day of margin
    const marks = await db.pool.query("SELECT transaction_id FROM enable3_withdrawals ORDER BY transaction_id");
    expect(marks.rows.map((r) => r.transaction_id)).toEqual(["tx-inside", "tx-recent"]);

    expect(await deliver(tenDays, "tx-inside", inside)).toMatchObject({ status: 200, body: { duplicate: true } });
    expect(await deliver(tenDays, "tx-old", old)).toMatchObject({ status: 400, body: { error: "too-old" } });
    const credits = await db.pool.query("SELECT transaction_id, count(*)::int AS n FROM ledger GROUP BY 1 ORDER BY 1");
    expect(credits.rows).toEqual([
      { transaction_id: "tx-inside", n: 1 },
      { transaction_id: "tx-old", n: 1 },
      { transaction_id: "tx-recent", n: 1 },
    ]);
    await Promise.all([tenDays.close(), hundredDays.close()]);
  });

  it("purges 2,500 old marks in batches of 1,000 statements and keeps new, held and dateless-but-recent marks", async () => {
    const db = await createTestDatabase();
    const statements: string[] = [];
    const counting: SqlPool = {
      query: (text: string, values?: unknown[]) => {
        statements.push(text);
        return db.pool.query(text, values);
      },
      connect: () => db.pool.connect(),
    } as SqlPool;
    const store = postgresStore(counting);
    await store.migrate();
    const old = daysAgo(60);
    await db.pool.query(
      `INSERT INTO enable3_withdrawals (transaction_id, created_at, received_at, processed_at)
       SELECT 'old-' || n, $1, $1, $1 FROM generate_series(1, 2500) AS n`,
      [old],
    );
    await db.pool.query("INSERT INTO enable3_withdrawals (transaction_id, created_at, processed_at) VALUES ('new', now(), now())");
    // a mark from before created_at existed: its arrival decides
    await db.pool.query("INSERT INTO enable3_withdrawals (transaction_id, received_at) VALUES ('dateless', now())");
    // an old mark a live lease holds: a delivery is running it
    await db.pool.query(
      "INSERT INTO enable3_withdrawals (transaction_id, created_at, received_at, lease_owner, lease_until) VALUES ('held', $1, $1, 'x', now() + interval '1 minute')",
      [old],
    );
    statements.length = 0;
    expect(await store.purge({ before: daysAgo(31) })).toBe(2500);
    expect(statements.filter((s) => s.startsWith("DELETE"))).toHaveLength(3);
    const left = await db.pool.query("SELECT transaction_id FROM enable3_withdrawals ORDER BY transaction_id");
    expect(left.rows.map((r) => r.transaction_id)).toEqual(["dateless", "held", "new"]);
  });
});

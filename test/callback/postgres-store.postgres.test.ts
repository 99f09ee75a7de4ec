// postgresStore on a real PostgreSQL: claims are exclusive across pools, a lease that runs out is
// taken over, the operator's credit commits with the processed mark or not at all, and a delivery
// whose lease was taken over commits nothing.
import pg from "pg";
import { describe, expect, it } from "vitest";
import { createWithdrawalReceiver, formatCallbackDate, postgresStore, signCallback, type WithdrawalClaim } from "../../src/callback.js";
import { createTestDatabase } from "../helpers/postgres.js";
import { registerTeardown } from "../helpers/teardown.js";

const SECRET = "pg-store-secret-09";
const LEDGER = "CREATE TABLE IF NOT EXISTS ledger (id serial PRIMARY KEY, transaction_id text NOT NULL, amount numeric NOT NULL)";
/** Today: a callback dated further back than retentionMs (30 days) is refused. */
const CREATED_AT = formatCallbackDate(new Date());
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function database() {
  const db = await createTestDatabase();
  await db.pool.query(LEDGER);
  const credits = async () => (await db.pool.query("SELECT transaction_id FROM ledger ORDER BY id")).rows.map((r) => r.transaction_id);
  const anotherPool = () => {
    const extra = new pg.Pool({ ...db.connection, max: 4 });
    extra.on("error", () => {}); // a connection the database's teardown ends (see helpers/postgres.ts)
    registerTeardown(() => extra.end());
    return extra;
  };
  return { ...db, credits, anotherPool };
}

async function claimed(store: ReturnType<typeof postgresStore<pg.PoolClient>>, id: string, leaseMs = 60_000) {
  const result = await store.claim(id, { leaseMs, createdAt: new Date() });
  if (result.status !== "claimed") throw new Error(`expected a claim, got ${result.status}`);
  return result.claim;
}

const credit = (claim: WithdrawalClaim<pg.PoolClient>, id: string) =>
  claim.tx.query("INSERT INTO ledger (transaction_id, amount) VALUES ($1, 10)", [id]);

describe("postgresStore", () => {
  it("creates its table on first use, once; claims exclusively across pools; processed is final", async () => {
    const db = await database();
    const a = postgresStore<pg.PoolClient>(db.pool);
    const b = postgresStore<pg.PoolClient>(db.anotherPool());
    const claim = await claimed(a, "tx-1");
    expect(await b.claim("tx-1", { leaseMs: 60_000, createdAt: new Date() })).toEqual({ status: "processing" });
    await credit(claim, "tx-1");
    expect(await claim.complete()).toBe(true);
    expect(await b.claim("tx-1", { leaseMs: 60_000, createdAt: new Date() })).toEqual({ status: "processed" });
    expect(await a.migrate()).toEqual({ applied: [] });
    const { rows } = await db.pool.query("SELECT attempts, lease_owner, processed_at IS NOT NULL AS done FROM enable3_withdrawals");
    expect(rows).toEqual([{ attempts: 1, lease_owner: null, done: true }]);
    expect(await db.credits()).toEqual(["tx-1"]);
  });

  it("release rolls the credit back and frees the transaction at once", async () => {
    const db = await database();
    const store = postgresStore<pg.PoolClient>(db.pool);
    const first = await claimed(store, "tx-2");
    await credit(first, "tx-2");
    await first.release();
    expect(await db.credits()).toEqual([]);
    const second = await claimed(store, "tx-2");
    await credit(second, "tx-2");
    expect(await second.complete()).toBe(true);
    expect(await db.credits()).toEqual(["tx-2"]);
  });

  it("a lease that runs out is taken over; the late holder's complete commits nothing", async () => {
    const db = await database();
    const store = postgresStore<pg.PoolClient>(db.pool);
    const late = await claimed(store, "tx-3", 150);
    await credit(late, "tx-3");
    await sleep(250);
    const taker = await claimed(postgresStore<pg.PoolClient>(db.anotherPool()), "tx-3");
    expect(await late.renew()).toBe(false);
    expect(await late.complete()).toBe(false);
    await credit(taker, "tx-3");
    expect(await taker.complete()).toBe(true);
    expect(await db.credits()).toEqual(["tx-3"]);
    expect((await db.pool.query("SELECT attempts FROM enable3_withdrawals")).rows).toEqual([{ attempts: 2 }]);
  });

  it("renewing keeps a lease past its first term", async () => {
    const db = await database();
    const store = postgresStore<pg.PoolClient>(db.pool);
    // 2 s terms, renewed every 0.8 s: the 2.4 s slept outlast the first term, and a stall of a loaded
    // machine between two renewals (or the last and the check) stays under one term
    const holder = await claimed(store, "tx-4", 2_000);
    for (let i = 0; i < 3; i++) {
      await sleep(800);
      expect(await holder.renew()).toBe(true);
    }
    expect(await store.claim("tx-4", { leaseMs: 2_000, createdAt: new Date() })).toEqual({ status: "processing" });
    await holder.release();
  });

  it("the store's leaseMs wins over the receiver's, and the store renews it while the claim is held", async () => {
    const db = await database();
    // renewed every 0.5 s: a stall of a loaded machine up to a second does not let it lapse
    const store = postgresStore<pg.PoolClient>(db.pool, { leaseMs: 1_500 });
    const holder = await claimed(store, "tx-lease", 60_000); // the receiver's (deprecated) lease, overruled
    const leaseLeft = async () =>
      Number((await db.pool.query("SELECT extract(epoch FROM lease_until - now()) * 1000 AS ms FROM enable3_withdrawals")).rows[0].ms);
    expect(await leaseLeft()).toBeLessThanOrEqual(1_500);
    await sleep(4_500); // three terms: renewed by the store's own timer, nobody called renew()
    expect(await store.claim("tx-lease", { leaseMs: 60_000, createdAt: new Date() })).toEqual({ status: "processing" });
    expect(await holder.complete()).toBe(true);
  });

  it("a holder whose connection dies mid-payout: its credit is rolled back, and after its lease the next delivery pays once", async () => {
    const db = await database();
    const crashed = postgresStore<pg.PoolClient>(db.anotherPool());
    const claim = await claimed(crashed, "tx-5", 300);
    await credit(claim, "tx-5");
    const { rows } = await claim.tx.query("SELECT pg_backend_pid() AS pid");
    await db.pool.query("SELECT pg_terminate_backend($1)", [rows[0].pid]);
    const receiver = createWithdrawalReceiver({
      secrets: [SECRET],
      store: postgresStore<pg.PoolClient>(db.pool),
      logger: null,
      inFlightWaitMs: 2_000,
      onWithdrawal: (w, { tx }) => tx.query("INSERT INTO ledger (transaction_id, amount) VALUES ($1, $2)", [w.transactionId, w.amount]),
    });
    const body = `{"userId":"u","amount":10.00,"tokenAmount":1000,"tokenRate":0.01,"transactionId":"tx-5","createdAt":"${CREATED_AT}"}`;
    const response = await receiver.fetch(
      new Request("http://x/", { method: "POST", body, headers: { "x-request-signature": signCallback(body, SECRET) } }),
    );
    expect(response.status).toBe(200); // waited for the dead lease to run out, then paid
    expect(await db.credits()).toEqual(["tx-5"]);
    await claim.release(); // the dead client goes back to its pool, discarded
    expect(await claim.complete().catch(() => "ended")).toBe("ended");
  });

  it("through the receiver: 20 concurrent deliveries credit once; a handler that throws leaves no credit and is paid by the next", async () => {
    const db = await database();
    let failNext = true;
    const receiver = createWithdrawalReceiver({
      secrets: [SECRET],
      store: postgresStore<pg.PoolClient>(db.pool),
      logger: null,
      async onWithdrawal(w, { tx }) {
        await tx.query("INSERT INTO ledger (transaction_id, amount) VALUES ($1, $2)", [w.transactionId, w.amount]);
        await sleep(30);
        if (w.transactionId === "tx-fail" && failNext) {
          failNext = false;
          throw new Error("payout provider timed out");
        }
      },
    });
    const deliver = (id: string) => {
      const body = `{"userId":"u","amount":10.00,"tokenAmount":1000,"tokenRate":0.01,"transactionId":"${id}","createdAt":"${CREATED_AT}"}`;
      return receiver.fetch(
        new Request("http://x/", { method: "POST", body, headers: { "x-request-signature": signCallback(body, SECRET) } }),
      );
    };
    const burst = await Promise.all(Array.from({ length: 20 }, () => deliver("tx-burst")));
    expect(burst.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect((await deliver("tx-fail")).status).toBe(500);
    expect(await db.credits()).toEqual(["tx-burst"]);
    expect((await deliver("tx-fail")).status).toBe(200);
    expect((await deliver("tx-fail")).status).toBe(200);
    expect(await db.credits()).toEqual(["tx-burst", "tx-fail"]);
  });

  it("refuses a schema name it would have to quote", () => {
    expect(() => postgresStore({} as never, { schema: "Bad-Name" })).toThrow(/schema must be a PostgreSQL schema name/);
  });
});

// Exactly once through a crash: four processes of the postgres example on one real PostgreSQL receive
// the same 500 withdrawals, each delivered one to three times in random order and concurrently, by a
// sender that retries every delivery not answered 2xx (as Enable3 would). One process is SIGKILLed
// right after it wrote a credit and before that credit committed (its other deliveries in flight are
// cut wherever they are). Afterwards every transaction is credited exactly once in the operator's own table.
import { describe, expect, it } from "vitest";
import { LEDGER_TABLE } from "../../examples/callback-server/postgres.mjs";
import { formatCallbackDate, signCallback } from "../../src/callback.js";
import { createTestDatabase } from "../helpers/postgres.js";
import { type Started, startScript } from "../helpers/process.js";

const SECRET = "fleet-secret-4d2e";
const TRANSACTIONS = 500;
const WORKERS = 4;
const IN_FLIGHT = 24;

/** mulberry32: the same shuffle for the same seed (printed when the test fails). */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const createdAt = formatCallbackDate(new Date());
/** Transaction i's body: every delivery of it the same bytes, as Enable3 redelivers. */
const body = (i: number) =>
  `{"userId":"player-${i % 37}","amount":${(i % 90) + 10}.00,"tokenAmount":${i * 100},"tokenRate":0.01,"transactionId":"fleet-${i}","createdAt":"${createdAt}"}`;

const databaseUrl = (c: { user: string; password: string; host: string; port: number; database: string }) =>
  `postgres://${c.user}:${c.password}@${c.host}:${c.port}/${c.database}`;

describe("examples/callback-server/postgres.mjs", () => {
  it("runs as documented: creates its ledger, credits a withdrawal once with its exact amount, answers its duplicate 200", async () => {
    const db = await createTestDatabase();
    const example = await startScript("examples/callback-server/postgres.mjs", {
      ENABLE3_CALLBACK_SECRET: SECRET,
      DATABASE_URL: databaseUrl(db.connection),
    });
    const raw = body(7);
    const headers = { "x-request-signature": signCallback(raw, SECRET) };
    for (const duplicate of [false, true]) {
      const response = await fetch(example.url, { method: "POST", body: raw, headers });
      expect({ status: response.status, body: await response.json() }).toEqual({
        status: 200,
        body: { status: "processed", transactionId: "fleet-7", duplicate },
      });
    }
    // the exact text of the signed body reaches the numeric column: no double in between
    const exact = body(8).replace('"amount":18.00', '"amount":1234567.123456789123');
    expect(
      (await fetch(example.url, { method: "POST", body: exact, headers: { "x-request-signature": signCallback(exact, SECRET) } })).status,
    ).toBe(200);
    const { rows } = await db.pool.query("SELECT transaction_id, user_id, amount FROM withdrawal_ledger ORDER BY id");
    expect(rows).toEqual([
      { transaction_id: "fleet-7", user_id: "player-7", amount: "17.00" },
      { transaction_id: "fleet-8", user_id: "player-8", amount: "1234567.123456789123" },
    ]);
  });
});

describe("a fleet of four processes on one PostgreSQL", () => {
  it("credits each of 500 transactions exactly once, through duplicates, concurrency and a SIGKILL mid-payout", async () => {
    const seed = Number(process.env.FLEET_SEED ?? Date.now() % 100_000);
    const next = random(seed);
    const db = await createTestDatabase();
    await db.pool.query(LEDGER_TABLE);
    const env = { ENABLE3_CALLBACK_SECRET: SECRET, DATABASE_URL: databaseUrl(db.connection), LEASE_MS: "1000" };
    // the victim kills itself mid-payout after a number of credits drawn from the seed
    const dieAfter = String(20 + Math.floor(next() * 40));
    const workers: Started[] = await Promise.all(
      Array.from({ length: WORKERS }, (_, n) =>
        startScript("test/fixtures/callback/fleet-worker.mjs", n === 0 ? { ...env, DIE_AFTER: dieAfter } : env),
      ),
    );
    const alive = new Set(workers);
    const victim = workers[0]!;
    victim.child.once("exit", () => alive.delete(victim));

    const deliveries: number[] = [];
    for (let i = 0; i < TRANSACTIONS; i++) for (let n = 1 + Math.floor(next() * 3); n > 0; n--) deliveries.push(i);
    for (let i = deliveries.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
    }
    let attempts = 0;
    const deliver = async (i: number) => {
      const raw = body(i);
      const headers = { "content-type": "application/json", "x-request-signature": signCallback(raw, SECRET) };
      for (;;) {
        attempts++;
        const live = [...alive];
        const worker = live[Math.floor(next() * live.length)]!;
        try {
          const response = await fetch(worker.url, { method: "POST", body: raw, headers });
          await response.arrayBuffer();
          if (response.ok) return;
        } catch {
          // refused or cut off: the victim's
        }
        await new Promise((resolve) => setTimeout(resolve, 20 + next() * 60)); // the sender retries
      }
    };
    const queue = [...deliveries];
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift()) await deliver(i);
      }),
    );

    const context = `seed ${seed}, ${deliveries.length} deliveries, ${attempts} attempts`;
    expect(victim.child.signalCode, context).toBe("SIGKILL");
    const interrupted = /killed mid-payout of (\S+)/.exec(victim.output())?.[1];
    expect(interrupted, context).toBeDefined();
    const { rows } = await db.pool.query(
      "SELECT transaction_id, count(*)::int AS credits FROM withdrawal_ledger GROUP BY transaction_id ORDER BY transaction_id",
    );
    const credits = new Map(rows.map((r: { transaction_id: string; credits: number }) => [r.transaction_id, r.credits]));
    const wrong = Array.from({ length: TRANSACTIONS }, (_, i) => `fleet-${i}`).filter((id) => credits.get(id) !== 1);
    expect(
      wrong.map((id) => `${id}: ${credits.get(id) ?? 0}`),
      context,
    ).toEqual([]);
    expect(credits.size).toBe(TRANSACTIONS);
    const processed = await db.pool.query("SELECT count(*)::int AS n FROM enable3_withdrawals WHERE processed_at IS NOT NULL");
    expect(processed.rows[0].n).toBe(TRANSACTIONS);
    // the interrupted payout was run again by another process once the victim's lease ran out
    const rerun = await db.pool.query("SELECT attempts FROM enable3_withdrawals WHERE transaction_id = $1", [interrupted]);
    expect(rerun.rows[0].attempts, context).toBeGreaterThanOrEqual(2);
    for (const worker of workers) expect(worker.output()).not.toContain(SECRET);
  });
});

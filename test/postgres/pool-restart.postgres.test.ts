// PostgreSQL restarted under load: three receiver processes of the postgres example and an outbox worker
// on a server of the test's own, stopped (a fast shutdown ends every session, idle pool clients
// included: pg re-emits their error on the pool, and a pool nobody listens to crashes its process)
// and started again. The processes' pools have no "error" listener of the operator's: the stores'
// must be enough. Afterwards every process is alive, every withdrawal paid once and every event sent.
import pg from "pg";
import { describe, expect, it } from "vitest";
import { LEDGER_TABLE } from "../../examples/callback-server/postgres.mjs";
import { formatCallbackDate, signCallback } from "../../src/callback.js";
import { startOwnPostgres } from "../helpers/own-postgres.js";
import { type Started, startScript } from "../helpers/process.js";
import { registerTeardown } from "../helpers/teardown.js";
import { pause, printed, recordingServer, startFixture } from "../outbox/crash-kit.js";

const SECRET = "restart-secret-51c7";
const WITHDRAWALS = 90;
const createdAt = formatCallbackDate(new Date());
const body = (i: number) =>
  `{"userId":"player-${i % 7}","amount":${i + 1}.00,"tokenAmount":${i * 100},"tokenRate":0.01,"transactionId":"restart-${i}","createdAt":"${createdAt}"}`;

describe("PostgreSQL stopped and started under three receivers and an outbox worker", () => {
  it("every process alive afterwards, every withdrawal paid once, every committed event sent", async () => {
    const postgres = await startOwnPostgres();
    const c = postgres.connection;
    const pool = new pg.Pool({ ...c, max: 2 });
    pool.on("error", () => {}); // this test's own pool sees the restart too
    registerTeardown(() => pool.end());
    await pool.query(LEDGER_TABLE);

    const env = {
      ENABLE3_CALLBACK_SECRET: SECRET,
      DATABASE_URL: `postgres://${c.user}:${c.password}@${c.host}:${c.port}/${c.database}`,
      LEASE_MS: "1000",
    };
    const receivers: Started[] = await Promise.all([0, 1, 2].map(() => startScript("test/fixtures/callback/fleet-worker.mjs", env)));
    const { server: api, idsOf } = await recordingServer();
    const worker = startFixture("pg-worker.mjs", [JSON.stringify(c), api.url, "w", "30"]);
    await worker.waitFor(/^PRODUCED$/, 30_000);

    let turn = 0;
    const deliver = async (i: number) => {
      const raw = body(i);
      const headers = { "content-type": "application/json", "x-request-signature": signCallback(raw, SECRET) };
      for (let attempt = 0; attempt < 300; attempt++) {
        const receiver = receivers[turn++ % receivers.length]!;
        try {
          const response = await fetch(receiver.url, { method: "POST", body: raw, headers });
          await response.arrayBuffer();
          if (response.ok) return;
        } catch {
          // a receiver that died refuses the connection: the assertions below name it
        }
        await pause(50); // the sender retries
      }
      throw new Error(`restart-${i} was never answered 2xx`);
    };
    const wave = (from: number, to: number) => Promise.allSettled(Array.from({ length: to - from }, (_, k) => deliver(from + k)));

    const waves = [await wave(0, 30)]; // every pool now holds idle clients
    await postgres.stop();
    const duringOutage = wave(30, 60);
    await pause(1_500);
    await postgres.start();
    waves.push(await duringOutage, await wave(60, WITHDRAWALS));

    const processes = [
      ...receivers.map((r, n) => ({ name: `receiver ${n}`, child: r.child, output: r.output })),
      { name: "outbox worker", child: worker.child, output: worker.stderr },
    ];
    for (const { name, child, output } of processes) {
      expect({ name, exitCode: child.exitCode, signal: child.signalCode }, output().slice(-2_000)).toEqual({
        name,
        exitCode: null,
        signal: null,
      });
    }
    // heard, not swallowed: each receiver's store wrote the idle connections' failure (its default onError)
    for (const receiver of receivers) expect(receiver.output()).toContain("an idle connection of a postgresStore's pg.Pool failed");
    expect(waves.flat().filter((outcome) => outcome.status === "rejected")).toEqual([]);
    const { rows } = await pool.query("SELECT transaction_id, count(*)::int AS credits FROM withdrawal_ledger GROUP BY transaction_id");
    const credits = new Map(rows.map((r: { transaction_id: string; credits: number }) => [r.transaction_id, r.credits]));
    const wrong = Array.from({ length: WITHDRAWALS }, (_, i) => `restart-${i}`).filter((id) => credits.get(id) !== 1);
    expect(wrong.map((id) => `${id}: ${credits.get(id) ?? 0}`)).toEqual([]);
    // the worker's committed events all reach the API, each under its one id
    const committed = printed(worker.lines, "C");
    await expect.poll(() => [...committed].filter(([key, id]) => !idsOf.get(key)?.has(id)), { timeout: 20_000 }).toEqual([]);
    expect([...idsOf].filter(([, ids]) => ids.size > 1)).toEqual([]);
  }, 120_000);
});

// postgresStore with real worker processes on one real database: four workers, one killed with its
// rows leased and in flight, transactions that roll back; then fifteen workers each killed at a random
// moment. Committed ⇒ delivered, rolled back ⇒ never sent, and no event under a second id.
import { describe, expect, it } from "vitest";
import { createTestDatabase } from "../helpers/postgres.js";
import { pause, printed, recordingServer, startFixture } from "./crash-kit.js";

async function pendingRows(pool: import("pg").Pool): Promise<number> {
  const { rows } = await pool.query("SELECT count(*)::int AS n FROM public.enable3_outbox WHERE state = 'pending'");
  return rows[0].n;
}

function check(idsOf: Map<string, Set<string>>, committed: Map<string, string>, rolledBack: Map<string, string>) {
  expect([...committed].filter(([key, id]) => !idsOf.get(key)?.has(id))).toEqual([]);
  expect([...rolledBack.keys()].filter((key) => idsOf.has(key))).toEqual([]);
  expect([...idsOf].filter(([, ids]) => ids.size > 1)).toEqual([]);
}

describe("postgresStore workers, killed", () => {
  it("four workers on one database, one killed mid-lease with requests in flight; rolled back never sent, committed always sent", async () => {
    const db = await createTestDatabase();
    let holdW1 = true;
    const { server, idsOf } = await recordingServer({ hold: (h) => holdW1 && h["x-worker"] === "w1" });
    const connection = JSON.stringify(db.connection);
    const workers = ["w1", "w2", "w3", "w4"].map((name) => startFixture("pg-worker.mjs", [connection, server.url, name, "60"]));
    await expect.poll(() => server.requests.filter((r) => r.headers["x-worker"] === "w1").length, { timeout: 20_000 }).toBeGreaterThan(0);
    await workers[0]!.kill9(); // its claimed rows keep their lease until it runs out
    holdW1 = false;
    await Promise.all(workers.slice(1).map((w) => w.waitFor(/^PRODUCED$/)));
    await expect.poll(() => pendingRows(db.pool), { timeout: 30_000, interval: 100 }).toBe(0);
    const lines = workers.flatMap((w) => w.lines);
    const committed = printed(lines, "C");
    expect(committed.size).toBeGreaterThan(100);
    check(idsOf, committed, printed(lines, "R"));
    // what w1 had in flight was sent again by the others, with the same ids
    const heldIds = server.requests.filter((r) => r.headers["x-worker"] === "w1").map((r) => JSON.parse(r.body).id);
    const delivered = new Set([...idsOf.values()].flatMap((ids) => [...ids]));
    expect(heldIds.filter((id) => !delivered.has(id))).toEqual([]);
  }, 90_000);

  it("fifteen workers, each killed at a random moment while it commits and delivers; a last one drains the table", async () => {
    const db = await createTestDatabase();
    const { server, idsOf } = await recordingServer({ failRate: 0.05 });
    const connection = JSON.stringify(db.connection);
    const lines: string[] = [];
    for (let round = 0; round < 15; round++) {
      const worker = startFixture("pg-worker.mjs", [connection, server.url, `k${round}`, "100000"]);
      // its first three transactions ended (two committed, one rolled back): a loaded machine cannot
      // leave the rounds with next to nothing committed, and the kill still lands at a random moment
      await worker.waitFor(new RegExp(`^R k${round}-2 `));
      await pause(Math.random() * 200);
      await worker.kill9();
      lines.push(...worker.lines);
    }
    const drain = startFixture("pg-worker.mjs", [connection, server.url, "drain", "0"]);
    await drain.waitFor(/^PRODUCED$/);
    await expect.poll(() => pendingRows(db.pool), { timeout: 30_000, interval: 100 }).toBe(0);
    const committed = printed(lines, "C");
    expect(committed.size).toBeGreaterThanOrEqual(30);
    check(idsOf, committed, printed(lines, "R"));
  }, 90_000);
});

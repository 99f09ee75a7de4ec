// Ordered delivery with four postgresStore worker processes on one real database (issue 35), one of
// them killed (SIGKILL) with rows leased and requests in flight, 5 % of requests answered 503: each of
// 200 keys' events arrived in enqueue order (a record sent again never after a later one of its key)
// and every one was delivered.
import { describe, expect, it } from "vitest";
import { createOutbox, postgresStore } from "../../src/outbox.js";
import { clientFor } from "../helpers/client.js";
import { createTestDatabase } from "../helpers/postgres.js";
import { registerTeardown } from "../helpers/teardown.js";
import { recordingServer, startFixture } from "./crash-kit.js";
import { arrivalOf, enqueueAll, interleaving, inversions, missing } from "./ordered-postgres-kit.js";

describe("ordered delivery, postgresStore workers killed", () => {
  it("four workers, one killed mid-lease: each key's events arrive in enqueue order, none is lost", async () => {
    const db = await createTestDatabase();
    let holdW1 = true;
    const { server, idsOf } = await recordingServer({ failRate: 0.05, hold: (h) => holdW1 && h["x-worker"] === "w1" });
    await postgresStore(db.pool).migrate();
    const connection = JSON.stringify(db.connection);
    const workers = ["w1", "w2", "w3", "w4"].map((name) => startFixture("pg-ordered-worker.mjs", [connection, server.url, name]));
    await Promise.all(workers.map((w) => w.waitFor(/^READY$/)));
    const enqueuer = createOutbox(clientFor(server.url), { store: postgresStore(db.pool), deliver: false });
    registerTeardown(() => enqueuer.close({ timeoutMs: 0 }));
    const steps = interleaving(200, 5);
    const produced = enqueueAll(enqueuer, steps); // enqueued while the workers deliver
    const byW1 = () => server.requests.filter((r) => r.headers["x-worker"] === "w1");
    await expect.poll(() => byW1().length, { timeout: 30_000 }).toBeGreaterThan(0);
    await workers[0]!.kill9(); // its rows stay leased until the lease runs out; their keys wait
    holdW1 = false;
    await produced;
    const pending = async () => (await db.pool.query("SELECT count(*)::int AS n FROM public.enable3_outbox")).rows[0].n;
    await expect.poll(pending, { timeout: 60_000, interval: 100 }).toBe(0);
    expect(missing(steps, new Set(idsOf.keys()))).toEqual([]);
    expect(inversions(server.requests.map((r) => arrivalOf(r.body)))).toEqual([]);
    // what w1 had in flight was sent again by the others
    const held = byW1().map((r) => arrivalOf(r.body));
    expect(held.filter((a) => !idsOf.has(`${a.key}-${a.value}`))).toEqual([]);
    expect(workers.slice(1).map((w) => w.child.exitCode)).toEqual([null, null, null]); // the others never crashed
  }, 120_000);
});

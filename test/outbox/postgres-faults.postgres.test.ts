// The outbox on a postgresStore under faults: maxPending between two counts of the table, input the
// database refuses (a NUL) next to good records and inside the caller's transaction.
import { describe, expect, it } from "vitest";
import { createOutbox, type OutboxOptions, postgresStore } from "../../src/outbox.js";
import { tableName } from "../../src/postgres/identifiers.js";
import { clientFor } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { createTestDatabase } from "../helpers/postgres.js";
import { registerTeardown } from "../helpers/teardown.js";

const table = tableName("public", "outbox");
const event = (i: number) => ({ userId: "u", eventId: "deposit", value: i });

async function setup(handler: Parameters<typeof startScriptedServer>[0]) {
  const db = await createTestDatabase();
  const server = await startScriptedServer(handler);
  const store = (more = {}) => postgresStore(db.pool, { pollIntervalMs: 20, leaseMs: 2_000, ...more });
  await store().migrate();
  const open = (options: Partial<OutboxOptions> = {}, storeOptions = {}) => {
    const outbox = createOutbox(clientFor(server.url), { store: store(storeOptions), initialDelayMs: 20, maxDelayMs: 50, ...options });
    registerTeardown(() => outbox.close({ timeoutMs: 0 }));
    return outbox;
  };
  const rows = async () => (await db.pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;
  return { db, server, open, rows };
}

describe("outbox on a postgresStore, under faults", () => {
  it("maxPending holds across this process's own enqueues between two counts, sequential or concurrent", async () => {
    const { open, rows } = await setup((_req, res) => reply(res, 201));
    const outbox = open({ deliver: false, maxPending: 100 }, { statsIntervalMs: 60_000 });
    await outbox.open();
    let stored = 0;
    for (let i = 0; i < 300; i++) {
      const ok = await outbox.enqueue(event(i)).then(
        () => true,
        (e) => (e.reason === "full" ? false : Promise.reject(e)),
      );
      if (ok) stored++;
    }
    expect(stored).toBe(100);
    const more = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => outbox.enqueue(event(1000 + i))));
    expect(more.filter((r) => r.status === "fulfilled")).toHaveLength(0);
    expect(await rows()).toBe(100);
  });
});

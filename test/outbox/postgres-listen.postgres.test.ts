// postgresStore workers woken by LISTEN/NOTIFY: an event enqueued by another process is delivered long
// before the next poll; when the listening connection is terminated the worker says so through onError
// (Enable3OutboxError listen_unavailable), delivers by polling meanwhile, and listens again.
import { describe, expect, it } from "vitest";
import { notifyChannel } from "../../src/outbox/postgres-plans.js";
import { createOutbox, Enable3OutboxError, postgresStore } from "../../src/outbox.js";
import { clientFor } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { createTestDatabase } from "../helpers/postgres.js";
import { registerTeardown } from "../helpers/teardown.js";

const body = (r: { body: string }) => JSON.parse(r.body) as { id: string };
/** Twice any bound below: a delivery within them was woken, not polled. */
const POLL_MS = 60_000;

async function setup() {
  const db = await createTestDatabase();
  const server = await startScriptedServer((_req, res) => reply(res, 201));
  const store = () => postgresStore(db.pool, { pollIntervalMs: POLL_MS });
  await store().migrate();
  const errors: Error[] = [];
  const worker = createOutbox(clientFor(server.url), { store: store(), onError: (e) => void errors.push(e) });
  const enqueuer = createOutbox(clientFor(server.url), { store: store(), deliver: false }); // another process's
  registerTeardown(() => worker.close({ timeoutMs: 0 }));
  registerTeardown(() => enqueuer.close({ timeoutMs: 0 }));
  await worker.open();
  await enqueuer.open();
  const listeners = async () =>
    (
      await db.pool.query("SELECT pid FROM pg_stat_activity WHERE datname = $1 AND query = $2 AND pid <> pg_backend_pid()", [
        db.name,
        `LISTEN "${notifyChannel("public")}"`,
      ])
    ).rows.map((r) => r.pid as number);
  const sent = () => server.requests.map((r) => body(r).id);
  return { db, worker, enqueuer, errors, listeners, sent };
}

describe("postgresStore woken by NOTIFY", () => {
  it("delivers another process's enqueue at once; after pg_terminate_backend it warns, polls, and listens again", async () => {
    const { db, enqueuer, errors, listeners, sent } = await setup();
    await expect.poll(listeners, { timeout: 30_000 }).toHaveLength(1); // one connection per worker; none for deliver: false
    await new Promise((r) => setTimeout(r, 300)); // the worker is in its idle wait (a minute)
    await enqueuer.enqueue({ id: "e1", userId: "u", eventId: "deposit", value: 1 });
    await expect.poll(sent, { timeout: 30_000 }).toEqual(["e1"]);

    const [first] = await listeners();
    await db.pool.query("SELECT pg_terminate_backend($1)", [first]);
    await expect.poll(() => errors.filter((e) => e instanceof Enable3OutboxError && e.reason === "listen_unavailable").length).toBe(1);
    expect(errors[0]?.message).toMatch(/cannot LISTEN for new records on "public"\."enable3_outbox": the listening connection was lost/);
    await enqueuer.enqueue({ id: "e2", userId: "u", eventId: "deposit", value: 2 }); // while it may not listen: by polling
    await expect.poll(sent, { timeout: 30_000 }).toEqual(["e1", "e2"]);

    await expect.poll(listeners, { timeout: 20_000 }).toHaveLength(1);
    expect(await listeners()).not.toContain(first);
    await new Promise((r) => setTimeout(r, 600)); // past the fallback poll: back in the minute-long wait
    await enqueuer.enqueue({ id: "e3", userId: "u", eventId: "deposit", value: 3 });
    await expect.poll(sent, { timeout: 30_000 }).toEqual(["e1", "e2", "e3"]);
    expect(errors).toHaveLength(1);
  }, 90_000);
});

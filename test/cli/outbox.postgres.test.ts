// `enable3 outbox` (the built bin) on a real PostgreSQL, while a worker delivers from it: status (the
// worker's published pause and why, leased rows), dead with filters, replay and purge without stopping
// it; `outbox doctor` names a session idle in a transaction longer than a lease, and exits 1.
import { describe, expect, it } from "vitest";
import { createOutbox, postgresStore } from "../../src/outbox.js";
import { tableName } from "../../src/postgres/identifiers.js";
import { runCli } from "../helpers/cli.js";
import { clientFor } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { createTestDatabase, type TestDatabase } from "../helpers/postgres.js";
import { registerTeardown } from "../helpers/teardown.js";

const table = tableName("public", "outbox");
const json = <T>(text: string) => JSON.parse(text) as T;

const pgEnv = ({ connection: c }: TestDatabase) => ({
  PGHOST: c.host,
  PGPORT: String(c.port),
  PGUSER: c.user,
  PGPASSWORD: c.password,
  PGDATABASE: c.database,
  DATABASE_URL: undefined,
});

async function insertDead(db: TestDatabase, id: string, status: number, diedDaysAgo: number) {
  const error = { name: "Enable3ApiError", code: "http_error", message: `refused ${id}`, status };
  await db.pool.query(
    `INSERT INTO ${table} (kind, id, body, state, attempts, last_error, died_at, enqueued_at)
VALUES ('event', $1::text, jsonb_build_object('id', $1::text), 'dead', 2, $2::jsonb, now() - make_interval(days => $3::int), now() - make_interval(days => $3::int + 1))`,
    [id, JSON.stringify(error), diedDaysAgo],
  );
}

describe("enable3 outbox on a postgresStore", () => {
  it("status, dead, replay and purge while a paused worker runs on the table", async () => {
    const db = await createTestDatabase();
    const server = await startScriptedServer((_req, res) => reply(res, 401, { message: "key revoked" }));
    const store = postgresStore(db.pool, { pollIntervalMs: 20 });
    await store.migrate();
    await insertDead(db, "x422-old", 422, 40);
    await insertDead(db, "x422-new", 422, 1);
    await insertDead(db, "x400", 400, 2);
    const worker = createOutbox(clientFor(server.url, { maxRetries: 0 }), {
      store,
      deadRetentionMs: Number.POSITIVE_INFINITY,
      onError: () => {},
    });
    registerTeardown(() => worker.close({ timeoutMs: 0 }));
    for (let i = 0; i < 6; i++) await worker.enqueue({ id: `p${i}`, userId: "u", eventId: "deposit", value: i });
    const published = async () =>
      (await db.pool.query("SELECT status->>'state' AS state FROM public.enable3_outbox_workers")).rows.map((r) => r.state);
    await expect.poll(published, { timeout: 15_000, interval: 200 }).toEqual(["paused"]);

    const env = pgEnv(db);
    const status = await runCli(["outbox", "status", "--json"], env);
    expect(status.code, status.stderr).toBe(0);
    const report = json<Record<string, unknown>>(status.stdout);
    expect(report).toMatchObject({ store: "postgresStore(public)", dead: 3, paused: true, pausedBecause: expect.stringContaining("401") });
    expect((report.pending as number) + (report.inFlight as number)).toBe(6);
    expect(report.workers).toEqual([expect.objectContaining({ pid: process.pid, state: "paused" })]);
    expect(report.deliveredLastHour).toBe(0);

    const dead = json<{ id: string; status: number; attempts: number }[]>(
      (await runCli(["outbox", "dead", "--status", "422", "--json"], env)).stdout,
    );
    expect(dead.map((r) => r.id).sort()).toEqual(["x422-new", "x422-old"]);
    expect(dead[0]).toMatchObject({ attempts: 2, status: 422 });
    const old = await runCli(["outbox", "dead", "--older-than", "30d"], env);
    expect(
      old.stdout
        .trim()
        .split("\n")
        .slice(1)
        .map((l) => l.split("\t")[0]),
    ).toEqual(["x422-old"]);
    const byReason = json<{ id: string }[]>(
      (await runCli(["outbox", "dead", "--reason", "refused x4", "--newer-than", "36h", "--json"], env)).stdout,
    );
    expect(byReason.map((r) => r.id)).toEqual(["x422-new"]);

    const dry = json<{ purged: number }>(
      (await runCli(["outbox", "purge", "--dead", "--older-than", "30d", "--dry-run", "--json"], env)).stdout,
    );
    expect(dry.purged).toBe(1);
    const purge = await runCli(["outbox", "purge", "--dead", "--older-than", "30d"], env);
    expect(purge.stdout).toContain("purged 1 dead record that died more than 30d ago");
    const replay = await runCli(["outbox", "replay", "x400", "--json"], env);
    expect(json(replay.stdout)).toEqual({ replayed: 1 });
    const rows = (await db.pool.query(`SELECT id, state FROM ${table} WHERE id LIKE 'x%' ORDER BY id`)).rows;
    expect(rows).toEqual([
      { id: "x400", state: "pending" },
      { id: "x422-new", state: "dead" },
    ]);
  }, 120_000);

  it("outbox doctor names a session idle in a transaction longer than a lease, with what to do, and exits 1", async () => {
    const db = await createTestDatabase();
    await postgresStore(db.pool).migrate();
    const env = pgEnv(db);
    const healthy = await runCli(["outbox", "doctor", "--json"], env);
    expect(healthy.code, healthy.stdout + healthy.stderr).toBe(0);
    const checks = json<{ ok: boolean; checks: { name: string; status: string }[] }>(healthy.stdout).checks;
    expect(checks.map((c) => c.name)).toEqual(["backlog", "dead", "table", "autovacuum", "idle-in-transaction"]);

    const pg = (await import("pg")).default;
    const stuck = new pg.Client({ ...db.connection, application_name: "nightly-report" });
    await stuck.connect();
    registerTeardown(() => stuck.end());
    await stuck.query("BEGIN");
    const { rows } = await stuck.query("SELECT pg_backend_pid() AS pid, txid_current()");
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const sick = await runCli(["outbox", "doctor", "--lease", "1s"], env);
    expect(sick.code).toBe(1);
    expect(sick.stdout).toMatch(/FAIL idle-in-transaction/);
    expect(sick.stdout).toContain(`pid ${rows[0].pid}`);
    expect(sick.stdout).toContain('application "nightly-report"');
    expect(sick.stdout).toContain(`pg_terminate_backend(${rows[0].pid})`);
    const data = json<{ ok: boolean; checks: { name: string; status: string; fix?: string }[] }>(
      (await runCli(["outbox", "doctor", "--lease", "1s", "--json"], env)).stdout,
    );
    expect(data.ok).toBe(false);
    expect(data.checks.find((c) => c.name === "idle-in-transaction")).toMatchObject({
      status: "failed",
      fix: expect.stringContaining("idle_in_transaction_session_timeout"),
    });
    await stuck.query("ROLLBACK");
    expect((await runCli(["outbox", "doctor", "--lease", "1s"], env)).code).toBe(0);

    const wrong = await runCli(["outbox", "doctor", "--schema", "nowhere"], env);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain("migrate()");
  }, 120_000);

  it("without pg installed, a postgresStore is a usage error saying how to install it", async () => {
    // a resolve hook that finds no "pg", as on a machine where it is not installed
    const hook = `export async function resolve(s, c, next) { if (s === "pg") { const e = new Error("Cannot find package 'pg'"); e.code = "ERR_MODULE_NOT_FOUND"; throw e; } return next(s, c); }`;
    const register = `import { register } from "node:module"; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
    const result = await runCli(["outbox", "status"], {
      NODE_OPTIONS: `--import ${JSON.stringify(`data:text/javascript,${encodeURIComponent(register)}`)}`,
      PGHOST: "127.0.0.1",
      DATABASE_URL: undefined,
    });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain("a postgresStore needs the pg package, which is not installed here: npm install pg");
  });
});

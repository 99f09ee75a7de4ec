// The framework examples on a durable store: with DATABASE_URL, examples/callback-server/receiver.mjs
// keeps its processed marks in PostgreSQL (postgresStore) and credits through `tx`, so a withdrawal
// paid before a crash (SIGKILL) is answered as a duplicate after the restart, never paid again (shown on
// Express; every framework example mounts the same receiver.mjs).
import { describe, expect, it } from "vitest";
import { formatCallbackDate, signCallback } from "../../src/callback.js";
import { createTestDatabase } from "../helpers/postgres.js";
import { startScript } from "../helpers/process.js";

const SECRET = "example-pg-secret-71c4";

const databaseUrl = (c: { user: string; password: string; host: string; port: number; database: string }) =>
  `postgres://${c.user}:${c.password}@${c.host}:${c.port}/${c.database}`;

describe.each(["express.mjs"])("examples/callback-server/%s with DATABASE_URL", (file) => {
  it("pays once across a SIGKILL and a restart: the mark outlives the process", async () => {
    const db = await createTestDatabase();
    const env = { ENABLE3_CALLBACK_SECRET: SECRET, DATABASE_URL: databaseUrl(db.connection) };
    const body = `{"userId":"player-9","amount":1234567.123456789123,"tokenAmount":10000,"tokenRate":0.01,"transactionId":"restart-1","createdAt":"${formatCallbackDate(new Date())}"}`;
    const post = async (url: string) => {
      const response = await fetch(url, { method: "POST", body, headers: { "x-request-signature": signCallback(body, SECRET) } });
      return { status: response.status, body: await response.json() };
    };
    const first = await startScript(`examples/callback-server/${file}`, env);
    expect(await post(first.url)).toEqual({ status: 200, body: { status: "processed", transactionId: "restart-1", duplicate: false } });
    first.child.kill("SIGKILL");
    await new Promise((resolve) => first.child.once("exit", resolve));

    const second = await startScript(`examples/callback-server/${file}`, env);
    expect(await post(second.url)).toEqual({ status: 200, body: { status: "processed", transactionId: "restart-1", duplicate: true } });
    const { rows } = await db.pool.query("SELECT transaction_id, amount FROM withdrawal_ledger");
    expect(rows).toEqual([{ transaction_id: "restart-1", amount: "1234567.123456789123" }]);
    expect(second.output()).not.toContain("memoryStore");
    expect(first.output() + second.output()).not.toContain(SECRET);
  });
});

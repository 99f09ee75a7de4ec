// A client the SDK holds out of the pool (a migration's transaction) whose connection is ended by the
// server: pg emits "error" on that client, which no pool listener hears while it is checked out, and an
// "error" nobody listens to would crash the process. The work fails instead, and the pool goes on.
import { describe, expect, it } from "vitest";
import { withTransaction } from "../../src/postgres/sql-client.js";
import { createTestDatabase } from "../helpers/postgres.js";

describe("withTransaction, its connection ended by the server", () => {
  it("fails the work, crashes nothing, and the pool serves the next query", async () => {
    const db = await createTestDatabase();
    const crashes: unknown[] = [];
    const onCrash = (error: unknown) => crashes.push(error);
    process.on("uncaughtException", onCrash);
    try {
      const outcome = await withTransaction(db.pool, async (client) => {
        const [row] = (await client.query("SELECT pg_backend_pid() AS pid")).rows as { pid: number }[];
        await db.pool.query("SELECT pg_terminate_backend($1)", [row!.pid]);
        await new Promise((resolve) => setTimeout(resolve, 300)); // the server's FATAL and the socket's end arrive
        await client.query("SELECT 1");
      }).then(
        () => "committed",
        (error: Error) => error.message,
      );
      expect(outcome).not.toBe("committed");
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(crashes).toEqual([]);
      expect((await db.pool.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    } finally {
      process.off("uncaughtException", onCrash);
    }
  });
});

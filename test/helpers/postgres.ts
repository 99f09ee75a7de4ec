// A database of its own for a test file (or a test), on the run's PostgreSQL server (setup/postgres.ts),
// dropped with every connection to it when the file (or test) ends.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { registerTeardown } from "./teardown.js";

export interface TestDatabase {
  /** A pool on the new database, ended at teardown. */
  pool: pg.Pool;
  /** The new database's name. */
  name: string;
  /** Connection settings for other processes (workers under test). */
  connection: { host: string; port: number; user: string; password: string; database: string };
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const server = inject("postgres");
  const name = `t_${randomUUID().replace(/-/g, "")}`;
  const admin = new pg.Client({ ...server, database: "postgres" });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const connection = { ...server, database: name };
  const pool = new pg.Pool({ ...connection, max: 10 });
  // the teardown's DROP … WITH (FORCE) ends any connection still closing: an idle client's error then
  // is expected, and pg would otherwise raise it as an unhandled "error" event
  pool.on("error", () => {});
  registerTeardown(async () => {
    await pool.end();
    const dropper = new pg.Client({ ...server, database: "postgres" });
    await dropper.connect();
    try {
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await dropper.end();
    }
  });
  return { pool, name, connection };
}

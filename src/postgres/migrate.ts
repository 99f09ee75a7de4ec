// Applies the enable3 schema's migrations: idempotently (each is recorded by name and applied once) and
// safely from many processes at once (one transaction-scoped advisory lock serialises them).

import { tableName } from "./identifiers.js";
import { rowsOf, type SqlPool, withTransaction } from "./sql-client.js";

/** One step of the schema: `sql` runs once, inside the migration transaction, with `{schema}` replaced. */
export interface Migration {
  /** Unique and never reused, e.g. "outbox-1-table". */
  name: string;
  /** Statements; `{schema}` stands for the quoted schema name (tables are `{schema}.enable3_…`). */
  sql: string;
}

/** What migrate() did: the migrations it applied now (empty when the schema was already up to date). */
export interface MigrateResult {
  applied: string[];
}

/** The advisory lock key every enable3 migration takes: two processes never migrate at once. */
const MIGRATION_LOCK = 0x656e_6133; // "ena3"

/** Brings `schema` up to date with `migrations`, in order; creates the schema itself when missing. */
export async function migrate(pool: SqlPool, schema: string, migrations: readonly Migration[]): Promise<MigrateResult> {
  return withTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    const log = tableName(schema, "migrations");
    await client.query(`CREATE TABLE IF NOT EXISTS ${log} (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set(rowsOf<{ name: string }>(await client.query(`SELECT name FROM ${log}`)).map((row) => row.name));
    const applied: string[] = [];
    for (const migration of migrations) {
      if (done.has(migration.name)) continue;
      await client.query(migration.sql.replaceAll("{schema}", `"${schema}"`));
      await client.query(`INSERT INTO ${log} (name) VALUES ($1)`, [migration.name]);
      applied.push(migration.name);
    }
    return { applied };
  });
}

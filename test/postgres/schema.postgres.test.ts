// The PostgreSQL layer the outbox and the receiver share, on a real server: migrations apply once,
// also when many processes migrate at the same moment; leases let workers share rows without overlap,
// and a lease that runs out makes its rows claimable again.
import pg from "pg";
import { describe, expect, it } from "vitest";
import { tableName } from "../../src/postgres/identifiers.js";
import { claimStatement, leaseOwnerId, renewStatement } from "../../src/postgres/leases.js";
import { type Migration, migrate } from "../../src/postgres/migrate.js";
import { withTransaction } from "../../src/postgres/sql-client.js";
import { createTestDatabase } from "../helpers/postgres.js";

const MIGRATIONS: Migration[] = [
  {
    name: "test-1",
    sql: "CREATE TABLE {schema}.enable3_jobs (id text PRIMARY KEY, n int NOT NULL, lease_owner text, lease_until timestamptz)",
  },
  { name: "test-2", sql: "CREATE INDEX enable3_jobs_n ON {schema}.enable3_jobs (n)" },
];

describe("migrate", () => {
  it("applies each migration once, in order, and a second run applies nothing", async () => {
    const { pool } = await createTestDatabase();
    expect(await migrate(pool, "public", MIGRATIONS)).toEqual({ applied: ["test-1", "test-2"] });
    expect(await migrate(pool, "public", MIGRATIONS)).toEqual({ applied: [] });
    const more = [...MIGRATIONS, { name: "test-3", sql: "ALTER TABLE {schema}.enable3_jobs ADD COLUMN note text" }];
    expect(await migrate(pool, "public", more)).toEqual({ applied: ["test-3"] });
  });

  it("eight pools migrating at the same moment apply every migration exactly once, in a schema of its own", async () => {
    const { pool, connection } = await createTestDatabase();
    const pools = Array.from({ length: 8 }, () => new pg.Pool({ ...connection, max: 1 }));
    try {
      const results = await Promise.all(pools.map((p) => migrate(p, "loyalty", MIGRATIONS)));
      expect(results.flatMap((r) => r.applied).sort()).toEqual(["test-1", "test-2"]);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
    const { rows } = await pool.query("SELECT name FROM loyalty.enable3_migrations ORDER BY name");
    expect(rows.map((r) => r.name)).toEqual(["test-1", "test-2"]);
  });

  it("a failing migration leaves nothing of itself, and nothing recorded", async () => {
    const { pool } = await createTestDatabase();
    const broken = [...MIGRATIONS, { name: "test-broken", sql: "CREATE TABLE {schema}.enable3_x (id int); SELECT no_such_function()" }];
    await expect(migrate(pool, "public", broken)).rejects.toThrow(/no_such_function/);
    const { rows } = await pool.query("SELECT to_regclass('public.enable3_jobs') AS jobs, to_regclass('public.enable3_x') AS x");
    expect(rows[0]).toEqual({ jobs: null, x: null }); // one transaction: all or nothing
  });
});

describe("leases", () => {
  const table = tableName("public", "jobs");
  const claim = claimStatement({ table, key: "id", where: "n >= $4", orderBy: "n" });

  it("concurrent claims never hand the same row to two owners, and SKIP LOCKED keeps them from waiting", async () => {
    const { pool, connection } = await createTestDatabase();
    await migrate(pool, "public", MIGRATIONS);
    await pool.query(`INSERT INTO ${table} (id, n) SELECT 'j' || g, g FROM generate_series(1, 500) g`);
    const workers = Array.from({ length: 6 }, () => new pg.Pool({ ...connection, max: 1 }));
    try {
      const claimed = await Promise.all(
        workers.map(async (worker) => {
          const owner = leaseOwnerId();
          const ids: string[] = [];
          for (;;) {
            const { rows } = await worker.query(claim, [owner, 60_000, 25, 0]);
            if (rows.length === 0) return ids;
            ids.push(...rows.map((r: { id: string }) => r.id));
          }
        }),
      );
      const all = claimed.flat();
      expect(all).toHaveLength(500);
      expect(new Set(all).size).toBe(500);
    } finally {
      await Promise.all(workers.map((w) => w.end()));
    }
  });

  it("a lease that runs out makes its rows claimable again; renewing keeps them", async () => {
    const { pool } = await createTestDatabase();
    await migrate(pool, "public", MIGRATIONS);
    await pool.query(`INSERT INTO ${table} (id, n) VALUES ('a', 1), ('b', 2)`);
    const crashed = leaseOwnerId();
    const alive = leaseOwnerId();
    // 2 s leases: the checks that both are held, and the renewal, come well within them on a loaded machine
    expect((await pool.query(claim, [crashed, 2_000, 1, 0])).rows.map((r) => r.id)).toEqual(["a"]);
    expect((await pool.query(claim, [alive, 2_000, 1, 0])).rows.map((r) => r.id)).toEqual(["b"]);
    expect((await pool.query(claim, [leaseOwnerId(), 60_000, 10, 0])).rows).toEqual([]); // both held
    await new Promise((r) => setTimeout(r, 500));
    expect((await pool.query(renewStatement({ table, key: "id", keyType: "text" }), [alive, 60_000, ["b"]])).rows).toEqual([{ id: "b" }]);
    expect((await pool.query(renewStatement({ table, key: "id", keyType: "text" }), [alive, 60_000, ["a"]])).rows).toEqual([]); // not its lease
    await new Promise((r) => setTimeout(r, 2_000)); // past the crashed owner's lease
    const taker = leaseOwnerId();
    expect((await pool.query(claim, [taker, 60_000, 10, 0])).rows.map((r) => [r.id, r.lease_owner])).toEqual([["a", taker]]);
  });

  it("withTransaction commits what its work did, and rolls it all back when the work throws", async () => {
    const { pool } = await createTestDatabase();
    await migrate(pool, "public", MIGRATIONS);
    await withTransaction(pool, (client) => client.query(`INSERT INTO ${table} (id, n) VALUES ('kept', 1)`));
    await expect(
      withTransaction(pool, async (client) => {
        await client.query(`INSERT INTO ${table} (id, n) VALUES ('gone', 2)`);
        throw new Error("deposit failed");
      }),
    ).rejects.toThrow("deposit failed");
    expect((await pool.query(`SELECT id FROM ${table} ORDER BY id`)).rows).toEqual([{ id: "kept" }]);
  });
});

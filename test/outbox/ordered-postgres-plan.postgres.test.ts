// The ordered claim's plan on 1,000,000 rows (issue 35): 90 % of them keyed over 100,000 keys in a
// scattered order, some keys' first rows waiting for a retry or leased (their later rows held back).
// EXPLAIN (ANALYZE) of the claim the store runs shows index scans only, never a Seq Scan of the table,
// with its parameters bound (as pg sends them) and as a generic plan; and what it claims is each key's head.
import type pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { orderedClaimStatement } from "../../src/outbox/postgres-ordering.js";
import { postgresStore } from "../../src/outbox.js";
import { tableName } from "../../src/postgres/identifiers.js";
import { rowsOf, type SqlClient, withTransaction } from "../../src/postgres/sql-client.js";
import { createTestDatabase } from "../helpers/postgres.js";

const table = tableName("public", "outbox");
const ROWS = 1_000_000;
const KEYS = 100_000;

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Actual Rows"?: number;
  Plans?: PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

/** Fills the table in SQL: row g is keyed (to a scattered key) unless g % 10 = 0; rows 1–10,000 wait for a retry, 10,001–10,500 are leased. */
async function fill(pool: pg.Pool) {
  // the non-constraint indexes are built after the load (a sort each), as a bulk load would: the test stays fast
  const { rows: indexes } = await pool.query<{ indexname: string; indexdef: string }>(
    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'enable3_outbox' AND indexname NOT IN (SELECT conname FROM pg_constraint)",
  );
  expect(indexes.map((i) => i.indexname).sort()).toEqual([
    "enable3_outbox_dead",
    "enable3_outbox_died",
    "enable3_outbox_due",
    "enable3_outbox_ordering",
  ]);
  for (const index of indexes) await pool.query(`DROP INDEX public.${index.indexname}`);
  await pool.query(
    `INSERT INTO ${table} (kind, id, body, ordering_key, not_before, lease_owner, lease_until)
SELECT 'event', 'e' || g, '{}'::jsonb,
  CASE WHEN g % 10 = 0 THEN NULL ELSE 'u' || ((g::bigint * 7919) % ${KEYS}) END,
  CASE WHEN g <= 10000 THEN now() + interval '1 hour' ELSE now() - interval '1 hour' + g * interval '1 millisecond' END,
  CASE WHEN g BETWEEN 10001 AND 10500 THEN 'another-worker' END,
  CASE WHEN g BETWEEN 10001 AND 10500 THEN now() + interval '1 hour' END
FROM generate_series(1, ${ROWS}) AS g`,
  );
  for (const index of indexes) await pool.query(index.indexdef);
  await pool.query(`VACUUM ANALYZE ${table}`);
}

async function explain(client: SqlClient, generic: boolean) {
  await client.query(`SET LOCAL plan_cache_mode = ${generic ? "force_generic_plan" : "force_custom_plan"}`);
  await client.query(`PREPARE claim AS ${orderedClaimStatement(table)}`);
  const result = await client.query("EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE claim('plan-test', 30000, 100, 300000)");
  await client.query("DEALLOCATE claim");
  const [row] = rowsOf<{ "QUERY PLAN": { Plan: PlanNode; "Execution Time": number }[] }>(result);
  return row!["QUERY PLAN"][0]!;
}

describe("the ordered claim on 1,000,000 rows", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    db = await createTestDatabase();
    await postgresStore(db.pool).migrate();
    await fill(db.pool);
  }, 120_000);

  for (const generic of [false, true]) {
    it(`is index scans only, no Seq Scan (${generic ? "a generic plan" : "parameters bound, as pg sends them"}), and claims each key's head`, async () => {
      await withTransaction(db.pool, async (client) => {
        const { Plan, "Execution Time": ms } = await explain(client, generic);
        const nodes = nodesOf(Plan);
        const shown = nodes.map((n) => `${n["Node Type"]} ${n["Index Name"] ?? n["Relation Name"] ?? ""}`);
        expect(
          shown.filter((s) => s.startsWith("Seq Scan")),
          shown.join("\n"),
        ).toEqual([]);
        expect(
          nodes.some((n) => n["Node Type"] === "Index Scan" && n["Index Name"] === "enable3_outbox_due"),
          shown.join("\n"),
        ).toBe(true);
        expect(
          nodes.some((n) => n["Index Name"] === "enable3_outbox_ordering"),
          shown.join("\n"),
        ).toBe(true);
        expect(nodes[0]?.["Actual Rows"]).toBe(100);
        console.log(`ordered claim of 100 on ${ROWS} rows (${generic ? "generic" : "custom"} plan): ${ms.toFixed(1)} ms`);
        // what it claimed (the EXPLAIN ran it): keyed rows are heads, none waits behind an earlier row of its key
        const claimed = await client.query(
          `SELECT c.seq, c.ordering_key, (SELECT min(e.seq) FROM ${table} e WHERE e.ordering_key = c.ordering_key AND e.state = 'pending') AS head
FROM ${table} c WHERE c.lease_owner = 'plan-test'`,
        );
        const rows = rowsOf<{ seq: string; ordering_key: string | null; head: string | null }>(claimed);
        expect(rows).toHaveLength(100);
        expect(rows.filter((r) => r.ordering_key !== null && r.head !== r.seq)).toEqual([]);
        expect(rows.filter((r) => r.ordering_key === null).length).toBeGreaterThan(0);
        throw new Rollback();
      }).catch((error) => {
        if (!(error instanceof Rollback)) throw error;
      });
    }, 60_000);
  }
});

class Rollback extends Error {}

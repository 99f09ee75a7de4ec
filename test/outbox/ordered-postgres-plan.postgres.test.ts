// The ordered claim's plan on 1,000,000 rows (issue 35): 90 % of them keyed over 100,000 keys in a
// scattered order, some keys' first rows waiting for a retry or leased (their later rows held back).
// EXPLAIN (ANALYZE) of the claim the store runs shows index scans only, never a Seq Scan of the table,
// with its parameters bound (as pg sends them) and as a generic plan; and what it claims is each key's head.
import { beforeAll, describe, expect, it } from "vitest";
import { fillClaimTable } from "../../scripts/lib/claim-table.mjs";
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
    // the indexes the fill drops and rebuilds after its load: every one the claim may use
    expect((await fillClaimTable(db.pool, table, ROWS, KEYS)).sort()).toEqual([
      "enable3_outbox_dead",
      "enable3_outbox_died",
      "enable3_outbox_due",
      "enable3_outbox_ordering",
    ]);
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

#!/usr/bin/env node
// The postgresStore's ordered claim (issue 35) on a large table, on the built package: ROWS pending rows,
// 90 % keyed over KEYS keys in a scattered order, the first 1 % waiting for a retry (their keys' later
// rows held back) and 500 leased. Measures the median time of a claim of 100 (each rolled back, so every
// round sees the same table) beside the claim without ordering keys, says whether its plan has no Seq
// Scan; then once one key holds STUCK rows at the front of the due order behind a head waiting for a
// retry: as inserted (each claim looks at them all) and once the store moved them behind their head.
// `node bench/ordered-claim.mjs` runs it alone; knobs BENCH_CLAIM_ROWS, _KEYS, _STUCK, _ROUNDS.
import { fileURLToPath } from "node:url";
import { fillClaimTable } from "../scripts/lib/claim-table.mjs";

const knob = (name, fallback) => Number(process.env[`BENCH_CLAIM_${name}`] ?? fallback);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n) => n.toLocaleString("en-US");

/** Median ms of `rounds` claims of 100 by `statement`, each rolled back; and whether its plan (generic and custom) has no Seq Scan. */
async function timeClaim(pool, statement, rounds) {
  const client = await pool.connect();
  try {
    const plans = [];
    for (const mode of ["force_custom_plan", "force_generic_plan"]) {
      await client.query("BEGIN");
      await client.query(`SET LOCAL plan_cache_mode = ${mode}`);
      await client.query(`PREPARE claim AS ${statement}`);
      const { rows } = await client.query("EXPLAIN (FORMAT JSON) EXECUTE claim('bench', 30000, 100, 300000)");
      plans.push(JSON.stringify(rows[0]["QUERY PLAN"]));
      await client.query("ROLLBACK");
      await client.query("DEALLOCATE claim");
    }
    const times = [];
    for (let r = 0; r < rounds; r++) {
      await client.query("BEGIN");
      const started = performance.now();
      const { rowCount } = await client.query(statement, ["bench", 30_000, 100, 300_000]);
      times.push(performance.now() - started);
      await client.query("ROLLBACK");
      if (rowCount !== 100) throw new Error(`the claim took ${rowCount} rows, not 100`);
    }
    return { ms: median(times), indexOnly: plans.every((p) => !p.includes('"Seq Scan"')) };
  } finally {
    client.release();
  }
}

/** Rows { measure, value, unit, target, holds }, as bench/outbox.mjs gives them. */
export async function measureOrderedClaim(o = {}) {
  const rows = o.rows ?? knob("ROWS", 1_000_000);
  const keys = o.keys ?? knob("KEYS", 100_000);
  const stuck = o.stuck ?? knob("STUCK", 100_000);
  const rounds = o.rounds ?? knob("ROUNDS", 20);
  const pg = (await import("pg")).default;
  const { postgresStore } = await import("../dist/outbox.js");
  const { holdBackBehindRetries, orderedClaimStatement } = await import("../dist/outbox/postgres-ordering.js");
  const { claimStatement } = await import("../dist/postgres/leases.js");
  const { startPostgres } = await import("./outbox.mjs");
  const db = await startPostgres();
  const pool = new pg.Pool({ ...db.connection, max: 2 });
  pool.on("error", () => {});
  const table = '"public"."enable3_outbox"';
  const unordered = claimStatement({
    table,
    key: "seq",
    where: "state = 'pending' AND (not_before <= now() OR not_before > now() + make_interval(secs => $4::double precision / 1000))",
    orderBy: "not_before, seq",
  });
  const result = [];
  const row = (measure, value, unit, target, holds) => result.push({ measure, value, unit, target, holds });
  try {
    await postgresStore(pool).migrate();
    await fillClaimTable(pool, table, rows, keys);
    const shape = `${fmt(rows)} rows, 90 % keyed over ${fmt(keys)} keys`;
    const ordered = await timeClaim(pool, orderedClaimStatement(table), rounds);
    const plain = await timeClaim(pool, unordered, rounds);
    row(`postgresStore: ordered claim of 100 on ${shape}, median`, ordered.ms, "ms", "index scans only", ordered.indexOnly);
    row("postgresStore: the same claim without ordering keys, for reference", plain.ms, "ms", "reference", true);
    // one key with `stuck` rows due before everything else, its head waiting for a retry
    await pool.query(
      `INSERT INTO ${table} (kind, id, body, ordering_key, not_before)
SELECT 'event', 's' || g, '{}'::jsonb, 'stuck', CASE WHEN g = 1 THEN now() + interval '1 hour' ELSE now() - interval '2 hours' END
FROM generate_series(1, ${stuck}) AS g`,
    );
    await pool.query(`VACUUM ANALYZE ${table}`);
    const behind = await timeClaim(pool, orderedClaimStatement(table), rounds);
    row(
      `postgresStore: ordered claim of 100 with one key holding back ${fmt(stuck - 1)} due rows ahead of the rest, rows not moved (reference)`,
      behind.ms,
      "ms",
      "reference",
      behind.indexOnly,
    );
    // what the store does when the head goes back to wait for a retry: its key's later rows move behind it
    // (the part of the settlement statement that moves them, with the head held by "bench" and sent back for an hour)
    const head = (
      await pool.query(
        `UPDATE ${table} SET lease_owner = 'bench' WHERE seq = (SELECT min(seq) FROM ${table} WHERE ordering_key = 'stuck') RETURNING seq`,
      )
    ).rows[0].seq;
    const started = performance.now();
    await pool.query(
      `WITH s AS (SELECT $2::bigint AS seq, 'retry'::text AS outcome, 3600000::float8 AS delay), behind AS (${holdBackBehindRetries(table)}) SELECT count(*) FROM behind`,
      ["bench", head],
    );
    const moveMs = performance.now() - started;
    await pool.query(`VACUUM ANALYZE ${table}`);
    const moved = await timeClaim(pool, orderedClaimStatement(table), rounds);
    row(
      `postgresStore: the same claim once the store moved them behind the waiting head, median`,
      moved.ms,
      "ms",
      `≤ 2× the first row`,
      moved.ms <= 2 * ordered.ms && moved.indexOnly,
    );
    row(
      `postgresStore: moving ${fmt(stuck - 1)} rows behind a head that waits for a retry (once per retry)`,
      moveMs,
      "ms",
      "reference",
      true,
    );
  } finally {
    await pool.end();
    await db.stop();
  }
  return result;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const r of await measureOrderedClaim())
    console.log(`| ${r.measure} | ${r.value.toFixed(2)} ${r.unit} | ${r.target} ${r.holds ? "✓" : "✗"} |`);
}

// `enable3 outbox doctor`: a postgresStore's health, in the shape of `enable3 doctor` (each check ok,
// warn or FAIL, with what to do; exit 1 on a failure): the backlog's age, dead rows and those past
// retention (the purge is not running), the table's size and dead tuples and autovacuum's last run
// (pg_stat_user_tables), and sessions idle in a transaction longer than a lease (pg_stat_activity):
// they pin the xmin horizon, so no vacuum can remove what a SKIP LOCKED queue deletes, and it bloats.
import { parse, UsageError } from "./args.js";
import { withStore } from "./outbox-commands.js";
import { age, duration } from "./outbox-format.js";
import type { CliPool } from "./outbox-store.js";
import { STORE_OPTIONS } from "./outbox-store.js";
import { createOutput, EXIT, printable } from "./output.js";

export interface Finding {
  name: "schema" | "backlog" | "dead" | "table" | "autovacuum" | "idle-in-transaction";
  status: "ok" | "warn" | "failed";
  detail: string;
  fix?: string | undefined;
}

interface Limits {
  maxBacklogMs: number;
  leaseMs: number;
  retentionMs: number;
}

const DOCTOR_OPTIONS = {
  ...STORE_OPTIONS,
  "max-backlog-age": { type: "string" },
  lease: { type: "string" },
  retention: { type: "string" },
} as const;

export async function runOutboxDoctor(args: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values } = parse(args, DOCTOR_OPTIONS);
  if (values.dir !== undefined)
    throw new UsageError("outbox doctor checks a postgresStore; for a fileStore run enable3 outbox status --dir DIR");
  const limits: Limits = {
    maxBacklogMs: duration(values["max-backlog-age"], "max-backlog-age") ?? 15 * 60_000,
    leaseMs: duration(values.lease, "lease") ?? 30_000,
    retentionMs: duration(values.retention, "retention") ?? 30 * 86_400_000,
  };
  const { schema, findings } = await withStore(values, async (s) => ({
    schema: s.schema,
    findings: await examine(s.pool!, s.schema, limits),
  }));
  const ok = findings.every((f) => f.status !== "failed");
  const human = [
    `enable3 outbox doctor: postgresStore(${schema})`,
    ...findings.map(
      (f) =>
        `${f.status === "ok" ? "ok  " : f.status === "warn" ? "warn" : "FAIL"} ${f.name.padEnd(19)} ${printable(f.detail)}${f.fix ? `\n     ${"".padEnd(19)} fix: ${f.fix}` : ""}`,
    ),
    ok ? "Nothing here needs you now." : "Fix the failed checks, then run enable3 outbox doctor again.",
  ].join("\n");
  createOutput(values.json, out).result({ ok, store: `postgresStore(${schema})`, checks: findings }, human);
  return ok ? EXIT.ok : EXIT.failure;
}

async function examine(pool: CliPool, schema: string, limits: Limits): Promise<Finding[]> {
  const table = `"${schema}"."enable3_outbox"`;
  const exists = (await pool.query("SELECT to_regclass($1) IS NOT NULL AS present", [table])).rows[0] as { present: boolean };
  if (!exists.present)
    return [
      {
        name: "schema",
        status: "failed",
        detail: `${table} does not exist in this database`,
        fix: "check --schema and the database you connect to; create the tables with await postgresStore(pool, { schema }).migrate()",
      },
    ];
  const columns = (
    await pool.query(
      "SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'enable3_outbox' AND column_name = 'died_at'",
      [schema],
    )
  ).rows;
  const migrated = columns.length > 0;
  const findings: Finding[] = migrated
    ? []
    : [
        {
          name: "schema",
          status: "failed",
          detail: `${table} lacks this version's migrations (died_at)`,
          fix: "run await store.migrate() once with this version: the workers' retention needs it",
        },
      ];
  findings.push(
    await backlog(pool, table, limits),
    await dead(pool, table, limits, migrated),
    ...(await tableHealth(pool, schema)),
    await idleInTransaction(pool, limits),
  );
  return findings;
}

async function backlog(pool: CliPool, table: string, limits: Limits): Promise<Finding> {
  const row = (
    await pool.query(
      `SELECT count(*)::int AS pending, COALESCE(extract(epoch FROM now() - min(enqueued_at)) * 1000, 0)::float8 AS oldest FROM ${table} WHERE state = 'pending'`,
    )
  ).rows[0] as { pending: number; oldest: number };
  const detail = `${row.pending} pending${row.pending > 0 ? `, the oldest waiting ${age(row.oldest)}` : ""}`;
  if (row.oldest <= limits.maxBacklogMs) return { name: "backlog", status: "ok", detail };
  return {
    name: "backlog",
    status: "failed",
    detail: `${detail} (over ${age(limits.maxBacklogMs)}, --max-backlog-age)`,
    fix: "run enable3 outbox status: is delivery paused (the key or this server's IP refused)? is any worker delivering (deliver: true, running)? enable3 doctor checks the way to the API",
  };
}

async function dead(pool: CliPool, table: string, limits: Limits, migrated: boolean): Promise<Finding> {
  const past = migrated ? `count(*) FILTER (WHERE died_at < now() - make_interval(secs => $1::double precision / 1000))::int` : "0";
  const row = (
    await pool.query(
      `SELECT count(*)::int AS dead, ${past} AS past FROM ${table} WHERE state = 'dead'`,
      migrated ? [limits.retentionMs] : [],
    )
  ).rows[0] as { dead: number; past: number };
  const detail = `${row.dead} dead row${row.dead === 1 ? "" : "s"}`;
  if (row.past > 0)
    return {
      name: "dead",
      status: "warn",
      detail: `${detail}, ${row.past} dead for longer than ${age(limits.retentionMs)} (--retention): the workers' purge is not removing them`,
      fix: "check that a worker runs with deadRetentionMs set (not Infinity), or run enable3 outbox purge --dead --older-than 30d",
    };
  if (row.dead > 0)
    return {
      name: "dead",
      status: "warn",
      detail,
      fix: "read why with enable3 outbox dead; replay those fixed with enable3 outbox replay",
    };
  return { name: "dead", status: "ok", detail };
}

async function tableHealth(pool: CliPool, schema: string): Promise<Finding[]> {
  const row = (
    await pool.query(
      `SELECT pg_total_relation_size(relid)::float8 AS bytes, n_live_tup::float8 AS live, n_dead_tup::float8 AS dead,
GREATEST(last_autovacuum, last_vacuum) AS vacuumed, (extract(epoch FROM now() - GREATEST(last_autovacuum, last_vacuum)) * 1000)::float8 AS since
FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'enable3_outbox'`,
      [schema],
    )
  ).rows[0] as { bytes: number; live: number; dead: number; vacuumed: Date | null; since: number | null } | undefined;
  if (!row) return [];
  const size = `${(row.bytes / 1024 / 1024).toFixed(1)} MiB, ${row.live} live rows, ${row.dead} dead tuples`;
  const bloated = row.dead > 100_000 && row.dead > row.live;
  const table: Finding = bloated
    ? {
        name: "table",
        status: "failed",
        detail: `${size}: more dead tuples than live rows`,
        fix: `VACUUM (ANALYZE) "${schema}".enable3_outbox; end any session idle in a transaction (below), which keeps vacuum from removing them; for a busy queue ALTER TABLE "${schema}".enable3_outbox SET (autovacuum_vacuum_scale_factor = 0.01)`,
      }
    : { name: "table", status: "ok", detail: size };
  const vacuum: Finding =
    row.vacuumed === null
      ? {
          name: "autovacuum",
          status: row.dead > 10_000 ? "warn" : "ok",
          detail: "never vacuumed since the statistics were reset",
          ...(row.dead > 10_000 ? { fix: "check that autovacuum is on (SHOW autovacuum) and not blocked by long transactions" } : {}),
        }
      : { name: "autovacuum", status: "ok", detail: `last vacuumed ${age(row.since ?? 0)} ago` };
  return [table, vacuum];
}

async function idleInTransaction(pool: CliPool, limits: Limits): Promise<Finding> {
  const rows = (
    await pool.query(
      `SELECT pid, usename AS "user", application_name AS app, client_addr::text AS addr, (extract(epoch FROM now() - state_change) * 1000)::float8 AS idle
FROM pg_stat_activity WHERE datname = current_database() AND state IN ('idle in transaction', 'idle in transaction (aborted)')
AND state_change < now() - make_interval(secs => $1::double precision / 1000) AND pid <> pg_backend_pid() ORDER BY state_change`,
      [limits.leaseMs],
    )
  ).rows as { pid: number; user: string | null; app: string | null; addr: string | null; idle: number }[];
  if (rows.length === 0)
    return {
      name: "idle-in-transaction",
      status: "ok",
      detail: `no session idle in a transaction for longer than a lease (${age(limits.leaseMs)})`,
    };
  const named = rows
    .slice(0, 10)
    .map(
      (r) =>
        `pid ${r.pid} (${r.user ?? "?"}${r.app ? `, application "${r.app}"` : ""}${r.addr ? ` from ${r.addr}` : ""}) idle ${age(r.idle)}`,
    )
    .join("; ");
  return {
    name: "idle-in-transaction",
    status: "failed",
    detail: `${rows.length} session${rows.length === 1 ? "" : "s"} idle in a transaction for longer than a lease (${age(limits.leaseMs)}): ${named}${rows.length > 10 ? ` and ${rows.length - 10} more` : ""}. They hold back the xmin horizon: vacuum cannot remove what the queue deletes, and it bloats`,
    fix: `find the code that leaves the transaction open (commit or roll back on every path); end one now with SELECT pg_terminate_backend(${rows[0]!.pid}); set idle_in_transaction_session_timeout for the app's role`,
  };
}

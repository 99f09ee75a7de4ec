// The outbox table's statements, as pure builders (pg-boss's plans.js is the model): each function
// takes the quoted table (and the notify channel) and returns SQL text; no I/O here. postgres-store.ts
// runs them; the parameters each one takes are listed beside it.
import { unleased } from "../postgres/leases.js";
import { holdBackBehindRetries, orderedClaimStatement } from "./postgres-ordering.js";

/** The outbox table as the lease module sees it. */
export const outboxLeases = (table: string) => ({ table, key: "seq", keyType: "bigint" });

/**
 * The channel workers LISTEN on and enqueues NOTIFY, one per schema. A channel name is at most 63
 * bytes: a long schema name is cut and a hash of the whole keeps it apart from its neighbours.
 */
export function notifyChannel(schema: string): string {
  const name = `enable3_outbox_${schema}`;
  if (name.length <= 63) return name;
  let hash = 0x811c9dc5; // FNV-1a
  for (const char of schema) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return `${name.slice(0, 54)}_${hash.toString(16).padStart(8, "0")}`;
}

/** `LISTEN "channel"` (a channel is an identifier: quoted, never a parameter). */
export const listen = (channel: string) => `LISTEN "${channel}"`;

/**
 * The one place the claim of due rows is built: [owner, leaseMs, limit, longestWaitMs]. A wait further
 * ahead than the outbox's maxDelayMs (the database's clock stepped back since it was set) is over at
 * once, never an hour-long stall; a keyed row waits for its key's earlier rows (postgres-ordering.ts).
 */
export const claimDue = (table: string): string => orderedClaimStatement(table);

/**
 * Inserts records and wakes the workers in the same statement: [kinds, ids, bodies, contexts, channel,
 * traceparents, orderingKeys]. unnest keeps the arrays' order: seq follows the order records were added.
 * ON CONFLICT: an id already in the table stores nothing new, and never aborts the caller's transaction;
 * the NOTIFY is sent only when a row went in, at commit (inside the caller's transaction, at theirs).
 */
export function insertAndNotify(table: string): string {
  return `WITH added AS (
  INSERT INTO ${table} (kind, id, body, context, traceparent, ordering_key)
  SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::jsonb[], $6::text[], $7::text[])
  ON CONFLICT (kind, id) DO NOTHING RETURNING 1
) SELECT pg_notify($5, '') FROM (SELECT 1 FROM added LIMIT 1) AS one`;
}

/**
 * Settles a batch in one statement: [owner, keys, outcomes, attempts, delaysMs, errors], one array entry
 * per record. Delivered rows are deleted; retries wait `delay` on the database's clock; dead rows stay,
 * state 'dead'; released rows are handed back as they were. Only this owner's leases are changed: a
 * delivered row another worker claimed again (this one's lease ran out) stays, or deleting it would
 * release the next row of its key while that worker still sends it. The rows behind a keyed retry wait
 * as long as it does (postgres-ordering.ts).
 */
export function settleBatch(table: string): string {
  return `WITH s AS (
  SELECT * FROM unnest($2::bigint[], $3::text[], $4::int[], $5::float8[], $6::jsonb[]) AS s(seq, outcome, attempts, delay, error)
), gone AS (
  DELETE FROM ${table} AS o USING s WHERE o.seq = s.seq AND s.outcome = 'delivered' AND o.lease_owner = $1 RETURNING 1
), behind AS (
  ${holdBackBehindRetries(table)}
), kept AS (
  UPDATE ${table} AS o SET
    state = CASE WHEN s.outcome = 'dead' THEN 'dead' ELSE o.state END,
    died_at = CASE WHEN s.outcome = 'dead' THEN now() ELSE o.died_at END,
    attempts = CASE WHEN s.outcome = 'released' THEN o.attempts ELSE s.attempts END,
    not_before = CASE WHEN s.outcome = 'retry' THEN now() + make_interval(secs => s.delay / 1000) ELSE o.not_before END,
    last_error = CASE WHEN s.outcome = 'released' THEN o.last_error ELSE s.error END,
    lease_owner = NULL, lease_until = NULL
  FROM s WHERE o.seq = s.seq AND s.outcome <> 'delivered' AND o.lease_owner = $1 RETURNING 1
) SELECT (SELECT count(*) FROM gone)::int AS deleted, (SELECT count(*) FROM kept)::int AS kept`;
}

/** How long until the soonest pending row nobody holds is due, in ms (null: none): []. */
export function nextDue(table: string): string {
  return `SELECT extract(epoch FROM min(not_before) - now()) * 1000 AS ms FROM ${table} WHERE state = 'pending' AND ${unleased()}`;
}

/** The newest row's seq, as text (null: the table is empty): []. */
export const watermark = (table: string) => `SELECT max(seq)::text AS mark FROM ${table}`;

/** Whether a pending row at or before the mark remains: [mark]. */
export const pendingUpTo = (table: string) =>
  `SELECT EXISTS (SELECT 1 FROM ${table} WHERE state = 'pending' AND seq <= $1::bigint) AS waiting`;

/** The number of dead rows one page of dead() reads. */
export const DEAD_PAGE = 500;

/** One page of dead rows after a seq: [after]. */
export const deadPage = (table: string) =>
  `SELECT * FROM ${table} WHERE state = 'dead' AND seq > $1::bigint ORDER BY seq LIMIT ${DEAD_PAGE}`;

/**
 * Re-queues dead rows (those with these ids, or all when null) and wakes the workers in the same
 * statement: [ids, channel]; answers how many. A replayed row takes a new seq: it goes behind its key's
 * later rows, as a fileStore queues a replayed record (its old place is long released).
 */
export function replayAndNotify(table: string): string {
  return `WITH back AS (
  UPDATE ${table} SET seq = DEFAULT, state = 'pending', attempts = 0, not_before = now(), enqueued_at = now(), last_error = NULL
  WHERE state = 'dead' AND ($1::text[] IS NULL OR id = ANY($1::text[])) RETURNING 1
), n AS (SELECT count(*)::int AS n FROM back)
SELECT n, CASE WHEN n > 0 THEN pg_notify($2, '') END AS woken FROM n`;
}

/** The table-wide counts for stats(): pending, dead, and the oldest pending row's age in ms: []. */
export function tableCounts(table: string): string {
  return `SELECT count(*) FILTER (WHERE state = 'pending')::int AS pending, count(*) FILTER (WHERE state = 'dead')::int AS dead,
COALESCE(extract(epoch FROM now() - min(enqueued_at) FILTER (WHERE state = 'pending')) * 1000, 0)::float8 AS oldest FROM ${table}`;
}

// The postgresStore's claim with ordering keys (issue 35): rows that share an ordering key go out one
// at a time in seq order. A keyed row is claimable only while no row of its key with a lower seq is
// pending (leased, waiting for a retry, or due): the earlier row leaves that state only once it is
// delivered (deleted) or dead, so a dead row releases the rows behind it. Rows without a key flow as
// before. Pure SQL text: nothing here touches a connection. Limits: order holds while leases do (a
// worker stalled past leaseMs with a request not yet written can still send it after the key's next
// record went out); a replayed dead row takes a new seq, behind its key's rows enqueued after it died
// (as a fileStore queues it); enqueues of one key count as ordered when each starts after the previous resolved (or
// they share a turn of the event loop, or a transaction).
import { unleased } from "../postgres/leases.js";

/**
 * The condition a pending row must meet besides being due and unleased: no key, or no earlier pending
 * row of its key. It is not an anti-join the planner may turn into a hash over the whole table: under
 * the OR it stays a probe per row looked at, answered by the partial index (ordering_key, seq) WHERE
 * state = 'pending' AND ordering_key IS NOT NULL. Concurrent claimers cannot both pass it for two rows
 * of one key: the earlier row is pending in every snapshot until its delivery or death commits, and
 * SKIP LOCKED hides only the row being claimed, never the earlier one's existence.
 */
export function headOfKey(table: string): string {
  return `(${table}.ordering_key IS NULL OR NOT EXISTS (
    SELECT 1 FROM ${table} AS earlier
    WHERE earlier.ordering_key = ${table}.ordering_key AND earlier.seq < ${table}.seq AND earlier.state = 'pending'))`;
}

/**
 * The outbox's claim: up to $3 due, unleased rows for owner $1 for $2 ms, oldest due first, each the
 * head of its ordering key (or keyless); returns them. $4 is the longest wait in ms: a wait set further
 * ahead than that (the database's clock stepped back since) counts as over. The rows to claim are
 * gathered into an array first (an InitPlan) and updated through the primary key: planned without the
 * limit's value (a prepared statement's generic plan guesses a tenth of the table), `seq IN (…)` became
 * a hash join over a Seq Scan of the whole table; `seq = ANY(ARRAY(…))` is an index scan whatever the guess.
 * It returns only what a worker sends and judges (CLAIMED_COLUMNS), the enqueue time as epoch ms.
 */
export function orderedClaimStatement(table: string): string {
  return `UPDATE ${table} SET lease_owner = $1, lease_until = now() + make_interval(secs => $2::double precision / 1000)
WHERE seq = ANY(ARRAY(
  SELECT seq FROM ${table}
  WHERE state = 'pending' AND ${unleased()}
    AND (not_before <= now() OR not_before > now() + make_interval(secs => $4::double precision / 1000))
    AND ${headOfKey(table)}
  ORDER BY not_before, seq LIMIT $3 FOR UPDATE SKIP LOCKED
)) RETURNING ${CLAIMED_COLUMNS}`;
}

/**
 * The columns a claim returns (postgres-claims.ts Row): the enqueue time as a float8 of whole epoch ms (as a Date would hold it), which
 * pg reads with parseFloat, where a timestamptz is parsed into a Date per row (a tenth of the driver's
 * time per claimed row, profiled).
 */
export const CLAIMED_COLUMNS =
  "seq, kind, id, body, context, traceparent, ordering_key, attempts, floor(extract(epoch FROM enqueued_at) * 1000)::float8 AS enqueued_ms, last_error";

/** The keys held back longest, for a report: [limit]. Only pending keyed rows are read (the partial index). */
export function heldBackKeys(table: string): string {
  return `SELECT ordering_key AS key, (count(*) - 1)::int AS waiting,
  extract(epoch FROM now() - min(enqueued_at)) * 1000 AS "pendingForMs"
FROM ${table} WHERE state = 'pending' AND ordering_key IS NOT NULL
GROUP BY ordering_key HAVING count(*) > 1 ORDER BY min(enqueued_at) LIMIT $1`;
}

/** Pending rows of each kind: []. */
export const pendingByKind = (table: string) => `SELECT kind, count(*)::int AS n FROM ${table} WHERE state = 'pending' GROUP BY kind`;

/**
 * Part of the settlement (postgres-plans.ts settleBatch, whose CTE `s` lists the batch and $1 is the
 * owner): the later pending rows of a keyed row sent back to wait for a retry wait at least as long.
 * Only a speed-up: the claim would skip them anyway, but they sit in the due index ahead of everything
 * enqueued after them, and each claim would look at every one of them (one stuck key with 100,000 rows
 * made a claim take seconds); moved behind their head, the claim never meets them before the head is
 * due again. A row enqueued later behind a waiting head is looked at until the next retry moves it. A
 * head that dies leaves them due (its wait was over when it was tried and died).
 */
export function holdBackBehindRetries(table: string): string {
  return `UPDATE ${table} AS later SET not_before = now() + make_interval(secs => s.delay / 1000)
  FROM s JOIN ${table} AS head ON head.seq = s.seq
  WHERE s.outcome = 'retry' AND head.ordering_key IS NOT NULL AND head.lease_owner = $1
    AND later.ordering_key = head.ordering_key AND later.seq > head.seq AND later.state = 'pending'
    AND later.not_before < now() + make_interval(secs => s.delay / 1000)
  RETURNING 1`;
}

// A postgresStore worker's claims (postgres-session.ts): rows claimed under its lease and not yet handed
// out, and the next claim, started while the current batch is in flight when the last one came back
// full and less than a batch is left (read-ahead), so the next take() has its rows without a round trip.
import type { LeaseHolder } from "../postgres/leases.js";
import type { SqlPool } from "../postgres/sql-client.js";
import { rowsOf } from "../postgres/sql-client.js";
import type { OutboxKind, RecordBody, StoredRecord } from "./contract.js";

/** An outbox row as the claim returns it (postgres-ordering.ts CLAIMED_COLUMNS). */
export interface Row {
  seq: string;
  kind: OutboxKind;
  id: string;
  body: RecordBody;
  context: StoredRecord["context"] | null;
  traceparent?: string | null;
  ordering_key?: string | null;
  attempts: number;
  /** Epoch ms. */
  enqueued_ms: number;
  last_error: StoredRecord["lastError"] | null;
}

export interface ClaimSettings {
  /** The claim statement (postgres-plans.ts claimDue): [owner, leaseMs, limit, longestWaitMs]. */
  sql: string;
  owner: string;
  leaseMs: number;
  batchSize: number;
  longestWaitMs: number;
}

export function createClaims(pool: SqlPool, leases: LeaseHolder, c: ClaimSettings) {
  let buffered: Row[] = [];
  let ahead: Promise<void> | undefined; // a claim in flight whose rows join `buffered`
  let aheadFailed: { error: unknown } | undefined; // its failure is the next take()'s to report
  let lastFull = false; // the last claim found as many rows as it asked for: more are likely due
  let stopped = false;
  const claim = async (limit: number): Promise<Row[]> => {
    const rows = rowsOf<Row>(await pool.query(c.sql, [c.owner, c.leaseMs, limit, c.longestWaitMs]));
    leases.hold(rows.map((row) => String(row.seq)));
    lastFull = rows.length === limit;
    return rows;
  };
  // Claimed while less than a batch is left, not once none is: a claim's commit can take longer than
  // the sending of what is left (a loaded database: hundreds of ms), and delivery would stall on it.
  const claimAhead = () => {
    if (ahead !== undefined || aheadFailed !== undefined || stopped || !lastFull || buffered.length >= c.batchSize) return;
    ahead = claim(c.batchSize).then(
      (rows) => {
        ahead = undefined;
        if (!stopped) buffered.push(...rows); // after stop() they are held: close() releases them
      },
      (error) => {
        ahead = undefined;
        aheadFailed = { error };
      },
    );
  };
  return {
    /** Up to `limit` claimed records: buffered, claimed ahead, or claimed now; none when none is due. */
    async next(limit: number): Promise<StoredRecord[]> {
      if (buffered.length === 0) {
        if (ahead !== undefined) await ahead;
        else if (aheadFailed === undefined) buffered = await claim(Math.min(limit, c.batchSize));
        if (aheadFailed !== undefined) {
          const { error } = aheadFailed;
          aheadFailed = undefined;
          throw error;
        }
      }
      const out = buffered.splice(0, limit);
      claimAhead();
      return out.map(toRecord);
    },
    /** Claims no more; resolves once a claim in flight is done (its rows are held: release them after). */
    async stop(): Promise<void> {
      stopped = true;
      buffered = [];
      await ahead;
    },
  };
}

function toRecord(row: Row): StoredRecord {
  return {
    key: String(row.seq),
    kind: row.kind,
    id: row.id,
    body: row.body,
    attempts: row.attempts,
    enqueuedAt: row.enqueued_ms,
    ...(row.context === null ? {} : { context: row.context }),
    ...(typeof row.traceparent === "string" ? { traceparent: row.traceparent } : {}),
    ...(typeof row.ordering_key === "string" ? { orderingKey: row.ordering_key } : {}),
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
  };
}

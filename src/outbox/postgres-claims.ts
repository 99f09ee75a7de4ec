// A postgresStore worker's claims (postgres-session.ts): rows claimed under its lease and not yet handed
// out, and the next claim, started while the current batch is in flight when the last one came back
// full (read-ahead), so the next take() has its rows without a round trip.
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
  let ahead: Promise<Row[]> | undefined;
  let lastFull = false; // the last claim found as many rows as it asked for: more are likely due
  let stopped = false;
  const claim = async (limit: number): Promise<Row[]> => {
    const rows = rowsOf<Row>(await pool.query(c.sql, [c.owner, c.leaseMs, limit, c.longestWaitMs]));
    leases.hold(rows.map((row) => String(row.seq)));
    lastFull = rows.length === limit;
    return rows;
  };
  const handOut = (limit: number): StoredRecord[] => {
    const out = buffered.splice(0, limit);
    if (buffered.length === 0 && lastFull && !stopped) {
      ahead = claim(c.batchSize);
      ahead.catch(() => {}); // its failure is the next take()'s to report
    }
    return out.map(toRecord);
  };
  return {
    /** Up to `limit` claimed records: buffered, claimed ahead, or claimed now; none when none is due. */
    async next(limit: number): Promise<StoredRecord[]> {
      if (buffered.length === 0) {
        const next = ahead ?? claim(Math.min(limit, c.batchSize));
        ahead = undefined;
        buffered = await next;
      }
      return handOut(limit);
    },
    /** Claims no more; resolves once a claim in flight is done (its rows are held: release them after). */
    async stop(): Promise<void> {
      stopped = true;
      const late = ahead;
      ahead = undefined;
      buffered = [];
      await late?.catch(() => {});
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

// The withdrawals table's statements, as pure builders (pg-boss's plans.js is the model): each function
// takes the quoted table and returns SQL text; no I/O here. postgres-store.ts runs them; the parameters
// each one takes are listed beside it. Renewal and release are the lease module's (../postgres/leases.ts).
import { leaseEnd, unleased, unleasedBatch } from "../postgres/leases.js";

/** The withdrawals table as the lease module sees it. */
export const withdrawalLeases = (table: string) => ({ table, key: "transaction_id", keyType: "text" });

/**
 * Takes a transaction for owner $2 for $3 ms unless it was processed or a live lease holds it:
 * [transactionId, owner, leaseMs, createdAt]; returns the row when taken, none otherwise.
 */
export function claimTransaction(table: string): string {
  return `INSERT INTO ${table} AS w (transaction_id, lease_owner, lease_until, created_at)
VALUES ($1, $2, ${leaseEnd(3)}, $4)
ON CONFLICT (transaction_id) DO UPDATE SET lease_owner = EXCLUDED.lease_owner, lease_until = EXCLUDED.lease_until, attempts = w.attempts + 1
WHERE w.processed_at IS NULL AND ${unleased("w")}
RETURNING transaction_id`;
}

/** Whether a transaction was processed: [transactionId]. */
export const processedAt = (table: string) => `SELECT processed_at FROM ${table} WHERE transaction_id = $1`;

/** Marks a transaction processed if owner $2 still holds it (run inside the claim's transaction): [transactionId, owner]. */
export function completeTransaction(table: string): string {
  return `UPDATE ${table} SET processed_at = now(), lease_owner = NULL, lease_until = NULL
WHERE transaction_id = $1 AND lease_owner = $2 AND processed_at IS NULL`;
}

/**
 * Deletes up to $2 marks whose callback date and first delivery are both before $1, none a live lease
 * holds: [before, limit]. One short statement per batch, rows a claim is writing skipped: a purge never
 * holds long locks.
 */
export function purgeBatch(table: string): string {
  const batch = unleasedBatch({ ...withdrawalLeases(table), where: "greatest(created_at, received_at) < $1", limit: "$2" });
  return `DELETE FROM ${table} WHERE transaction_id IN (${batch})`;
}

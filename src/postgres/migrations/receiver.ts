// The withdrawal receiver's tables and indexes, as migrations of the one enable3 schema (see ../schema.ts).
// Append only: a migration that has shipped is never edited; a change is a new entry.
import type { Migration } from "../migrate.js";

export const RECEIVER_MIGRATIONS: readonly Migration[] = [
  {
    // One row per withdrawal ever delivered, by Enable3's transactionId. processed_at is set in the same
    // transaction as the operator's credit; lease_owner/lease_until say which delivery runs it now.
    name: "receiver-1-withdrawals",
    sql: `CREATE TABLE {schema}.enable3_withdrawals (
  transaction_id text PRIMARY KEY,
  received_at timestamptz NOT NULL DEFAULT now(),
  attempts integer NOT NULL DEFAULT 1,
  lease_owner text,
  lease_until timestamptz,
  processed_at timestamptz
)`,
  },
  {
    // The callback's createdAt, so a mark is kept for retentionMs past the withdrawal's own date (and past
    // its arrival: purge() needs both older than its cutoff); the index serves purge's batches.
    name: "receiver-2-retention",
    sql: `ALTER TABLE {schema}.enable3_withdrawals ADD COLUMN created_at timestamptz;
CREATE INDEX enable3_withdrawals_kept_until ON {schema}.enable3_withdrawals ((greatest(created_at, received_at)))`,
  },
];

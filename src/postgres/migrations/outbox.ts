// The outbox's tables and indexes, as migrations of the one enable3 schema (see ../schema.ts).
// Append only: a migration that has shipped is never edited; a change is a new entry.
import type { Migration } from "../migrate.js";

export const OUTBOX_MIGRATIONS: readonly Migration[] = [
  {
    // One row per record until it is delivered (then deleted); dead rows stay, state 'dead', until replayed.
    // (kind, id) is unique: enqueueing an id already there stores nothing new (the first body stands).
    name: "outbox-1-table",
    sql: `CREATE TABLE {schema}.enable3_outbox (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('event', 'revenue')),
  id text NOT NULL,
  body jsonb NOT NULL,
  context jsonb,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  not_before timestamptz NOT NULL DEFAULT now(),
  enqueued_at timestamptz NOT NULL DEFAULT now(),
  lease_owner text,
  lease_until timestamptz,
  last_error jsonb,
  CONSTRAINT enable3_outbox_kind_id UNIQUE (kind, id)
);
CREATE INDEX enable3_outbox_due ON {schema}.enable3_outbox (not_before, seq) WHERE state = 'pending';
CREATE INDEX enable3_outbox_dead ON {schema}.enable3_outbox (seq) WHERE state = 'dead';`,
  },
  {
    // The enqueuing span's W3C traceparent (null outside a trace): the delivery's span links to it.
    name: "outbox-3-trace",
    sql: "ALTER TABLE {schema}.enable3_outbox ADD COLUMN IF NOT EXISTS traceparent text;",
  },
  {
    // Retention of dead rows (deadRetentionMs, purge()): when each died, indexed for the purge. Rows
    // already dead count as dying now, so an upgrade purges nothing at once. Workers publish how they
    // stand (paused and why, in flight, delivered in the last hour) for `enable3 outbox status`.
    name: "outbox-4-dead-retention",
    sql: `ALTER TABLE {schema}.enable3_outbox ADD COLUMN died_at timestamptz;
UPDATE {schema}.enable3_outbox SET died_at = now() WHERE state = 'dead';
CREATE INDEX enable3_outbox_died ON {schema}.enable3_outbox (died_at, seq) WHERE state = 'dead';
CREATE TABLE {schema}.enable3_outbox_workers (
  owner text PRIMARY KEY,
  status jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);`,
  },
  {
    // Ordered delivery (issue 35): segment changes as records, and an ordering key. A keyed row is claimed
    // only when no row of its key with a lower seq is pending; the index answers that per row it looks
    // at, with pending keyed rows only. The widened CHECK is NOT VALID: every row already passed the
    // narrower one, and validating would read the whole table under the migration's lock.
    name: "outbox-5-ordering",
    sql: `ALTER TABLE {schema}.enable3_outbox DROP CONSTRAINT enable3_outbox_kind_check;
ALTER TABLE {schema}.enable3_outbox ADD CONSTRAINT enable3_outbox_kind_check
  CHECK (kind IN ('event', 'revenue', 'assignSegments', 'removeSegments')) NOT VALID;
ALTER TABLE {schema}.enable3_outbox ADD COLUMN ordering_key text;
CREATE INDEX enable3_outbox_ordering ON {schema}.enable3_outbox (ordering_key, seq)
  WHERE state = 'pending' AND ordering_key IS NOT NULL;`,
  },
];

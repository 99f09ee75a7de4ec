// The outbox's tables and indexes, as migrations of the one enable3 schema (see ../schema.ts).
// Append only: a migration that has shipped is never edited; a change is a new entry.
import type { Migration } from "../migrate.js";

export const OUTBOX_MIGRATIONS: readonly Migration[] = [];

// The one enable3 schema in the operator's database: every table the outbox and the withdrawal
// receiver keep, as one ordered list of migrations. Either store's migrate() brings all of it up to date,
// so a fleet that runs both never sees half a schema.
import type { Migration } from "./migrate.js";
import { OUTBOX_MIGRATIONS } from "./migrations/outbox.js";
import { RECEIVER_MIGRATIONS } from "./migrations/receiver.js";

export const ENABLE3_MIGRATIONS: readonly Migration[] = [...OUTBOX_MIGRATIONS, ...RECEIVER_MIGRATIONS];

// What both postgresStores (the outbox's and the withdrawal receiver's) take the same way: the pool,
// checked with one error, and the one options shape { schema, leaseMs } read with one field-path rule.

import { Enable3ValidationError } from "../errors/validation.js";
import { POSTGRES_STORE_DEFAULTS } from "../internal/defaults.js";
import { checkKnownKeys, numberIn, plainObject } from "../internal/validate.js";
import { schemaName } from "./identifiers.js";
import type { SqlPool } from "./sql-client.js";

/** The options every postgresStore takes. */
export interface PostgresStoreBaseOptions {
  /** The schema that holds the enable3 tables (`enable3_*`; created by migrate() when missing). @default "public" */
  schema?: string | undefined;
  /** How long a claim lasts unless renewed; renewed every third of it while the claim is worked on. */
  leaseMs?: number | undefined;
}

/** The shortest and longest lease a store takes. */
const LEASE_MS = { min: 100, max: 86_400_000 } as const;

/** Refuses anything but a pg Pool (or what has its query() and connect()), the same way in both stores. */
export function checkPool(pool: unknown): asserts pool is SqlPool {
  const p = pool as Partial<SqlPool> | null | undefined;
  if (!p || typeof p.query !== "function" || typeof p.connect !== "function") {
    throw new Enable3ValidationError("pool", "must be a pg Pool (or anything with query() and connect())");
  }
}

/** The options object checked (a plain object, no unknown key) and its schema and lease read. */
export function readStoreOptions<O extends PostgresStoreBaseOptions>(
  options: unknown,
  keys: readonly string[],
): { options: O; schema: string; leaseMs: number | undefined } {
  const o = plainObject(options ?? {}, "options") as O;
  checkKnownKeys(o, keys, "options");
  const schema = schemaName(o.schema ?? POSTGRES_STORE_DEFAULTS.schema, "options.schema");
  const leaseMs = o.leaseMs === undefined ? undefined : numberIn(o.leaseMs, "options.leaseMs", LEASE_MS.min, LEASE_MS.max);
  return { options: o, schema, leaseMs };
}

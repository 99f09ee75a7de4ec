// The store `enable3 outbox` reads: a fileStore by --dir, else a postgresStore from the standard
// PostgreSQL environment (DATABASE_URL, or PGHOST/PGPORT/PGUSER/PGDATABASE/PGPASSWORD as pg reads
// them), `pg` loaded only then. A password never comes from an argument (every user sees arguments in
// ps): --password is refused, and so is a --database-url that holds one.
import { fileStore, type OutboxStore, postgresStore } from "../outbox.js";
import { UsageError } from "./args.js";
import { secretArgumentRefused } from "./secret-argument.js";

/** The flags that choose the store. */
export const STORE_OPTIONS = {
  dir: { type: "string" },
  schema: { type: "string" },
  "database-url": { type: "string" },
  password: { type: "string" },
} as const;

export interface StoreFlags {
  dir?: string | undefined;
  schema?: string | undefined;
  "database-url"?: string | undefined;
  password?: string | undefined;
}

/** A pg Pool as the CLI uses it: queries, and end() once done. */
export interface CliPool {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
  connect(): Promise<{ query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>; release(): void }>;
  end(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): unknown;
}

export interface OpenedStore {
  store: OutboxStore;
  /** The pool of a postgresStore (the doctor reads the statistics views through it). */
  pool?: CliPool | undefined;
  schema: string;
  close(): Promise<void>;
}

const PASSWORD_INSTEAD = "set PGPASSWORD or DATABASE_URL in the environment, or use ~/.pgpass";
const PG_ENVIRONMENT = ["DATABASE_URL", "PGHOST", "PGHOSTADDR", "PGDATABASE", "PGUSER", "PGSERVICE"];

export async function storeFrom(flags: StoreFlags, env: NodeJS.ProcessEnv = process.env): Promise<OpenedStore> {
  if (flags.password !== undefined) throw secretArgumentRefused("--password", PASSWORD_INSTEAD);
  const url = flags["database-url"];
  if (url !== undefined && hasPassword(url)) throw secretArgumentRefused("a password in --database-url", PASSWORD_INSTEAD);
  if (flags.dir !== undefined) {
    if (url !== undefined) throw new UsageError("give --dir (a fileStore) or a PostgreSQL database, not both");
    if (flags.schema !== undefined) throw new UsageError("--schema is for a postgresStore: a fileStore is chosen by --dir alone");
    return { store: fileStore(flags.dir), schema: "", close: async () => {} };
  }
  const connectionString = url ?? env.DATABASE_URL;
  if (connectionString === undefined && !PG_ENVIRONMENT.some((name) => env[name]))
    throw new UsageError(
      "which outbox? give --dir DIR for a fileStore, or set DATABASE_URL (or PGHOST, PGUSER, PGDATABASE, …) for a postgresStore",
    );
  const pg = await loadPg();
  const pool = new pg.Pool({ ...(connectionString ? { connectionString } : {}), max: 2 }) as CliPool;
  pool.on("error", () => {}); // an idle client's error (the server restarting) is met by the next query
  const schema = flags.schema ?? "public";
  try {
    return { store: postgresStore(pool, { schema }), pool, schema, close: () => pool.end() };
  } catch (error) {
    await pool.end();
    throw error;
  }
}

/** `pg`, the optional peer: a usage error saying how to install it when it is missing. */
async function loadPg(): Promise<{ Pool: new (config: object) => unknown }> {
  try {
    const loaded = (await import("pg")) as { default?: { Pool: new (config: object) => unknown }; Pool?: new (config: object) => unknown };
    const Pool = loaded.default?.Pool ?? loaded.Pool;
    if (Pool) return { Pool };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") throw error;
  }
  throw new UsageError(
    "a postgresStore needs the pg package, which is not installed here: npm install pg (or give --dir DIR for a fileStore)",
  );
}

/** A password in a connection URL (`postgres://user:secret@host`) or in its query (`?password=`). */
function hasPassword(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.password !== "" || parsed.searchParams.has("password");
  } catch {
    return /password=|:[^/@]*@/.test(url); // a key/value string or an unparsable URL: judged by its text, never echoed
  }
}

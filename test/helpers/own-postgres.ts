// A PostgreSQL server of a test's own, for chaos that would break every other file on the run's shared
// server (setup/postgres.ts): stopping it and starting it again. Same binaries and settings; its data
// directory survives stop() (so start() brings the same databases back) and goes at teardown.
import { startEmbeddedPostgres } from "../../scripts/lib/embedded-postgres.mjs";
import { registerTeardown } from "./teardown.js";

export interface OwnPostgres {
  /** Connection settings of its `postgres` database. */
  connection: { host: string; port: number; user: string; password: string; database: string };
  /** A fast shutdown (SIGINT): every session is ended, as in a restart or a failover. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const { connection, stop, start, remove } = await startEmbeddedPostgres({ password: "enable3-own", persistent: true });
  registerTeardown(remove);
  return { connection, stop, start };
}

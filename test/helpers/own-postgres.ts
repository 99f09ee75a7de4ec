// A PostgreSQL server of a test's own, for chaos that would break every other file on the run's shared
// server (setup/postgres.ts): stopping it and starting it again. Same binaries and settings; its data
// directory survives stop() (so start() brings the same databases back) and goes at teardown.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadEmbeddedPostgres } from "../../scripts/lib/embedded-postgres.mjs";
import { registerTeardown } from "./teardown.js";

export interface OwnPostgres {
  /** Connection settings of its `postgres` database. */
  connection: { host: string; port: number; user: string; password: string; database: string };
  /** A fast shutdown (SIGINT): every session is ended, as in a restart or a failover. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
}

/** A port free now on 127.0.0.1 (PostgreSQL binds it itself). */
function freePort(): Promise<number> {
  const probe = createServer();
  return new Promise((resolve, reject) => {
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  // as root, initdb runs as the postgres user: the data directory's parent must be open to it
  const dir = await mkdtemp(path.join(tmpdir(), "enable3-own-pg-"));
  await chmod(dir, 0o777);
  const connection = { host: "127.0.0.1", port: await freePort(), user: "postgres", password: "enable3-own", database: "postgres" };
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: path.join(dir, "data"),
    port: connection.port,
    user: connection.user,
    password: connection.password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=100", "-c", "fsync=off"],
    onLog: () => {},
    onError: () => {},
  });
  registerTeardown(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });
  await server.initialise();
  await server.start();
  return { connection, stop: () => server.stop(), start: () => server.start() };
}

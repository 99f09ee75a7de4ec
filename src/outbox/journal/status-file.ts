// status.json in a fileStore's directory: how the outbox that holds the directory stands (paused and
// why, requests in flight, delivered in the last hour), rewritten every few seconds (a new file renamed
// over the old one, so a reader never sees half of it) for `enable3 outbox status` in another process,
// which cannot take the lock. Not synced: after a power loss it is at worst a few seconds old.
import { constants } from "node:fs";
import { open, readFile, rename, unlink } from "node:fs/promises";
import path from "node:path";
import type { PublishedStatus } from "../contract.js";
import { errnoCode } from "../errors.js";
import { FILE_MODE, writeAll } from "./files.js";

export const STATUS_FILE = "status.json";

export async function writeStatusFile(dir: string, status: PublishedStatus): Promise<void> {
  const file = path.join(dir, STATUS_FILE);
  const temporary = `${file}.tmp`; // one writer (the lock's holder): a leftover of a crash is overwritten next time
  const handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, FILE_MODE);
  try {
    await writeAll(handle, Buffer.from(`${JSON.stringify(status)}\n`), 0);
  } finally {
    await handle.close();
  }
  await rename(temporary, file).catch(async (error) => {
    await unlink(temporary).catch(() => {});
    throw error;
  });
}

/** The last status written, or undefined when there is none (no outbox ran here since this was kept) or it cannot be read. */
export async function readStatusFile(dir: string): Promise<PublishedStatus | undefined> {
  const text = await readFile(path.join(dir, STATUS_FILE), "utf8").catch((error) =>
    errnoCode(error) === "ENOENT" ? undefined : Promise.reject(error),
  );
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as PublishedStatus;
    return typeof value.state === "string" && typeof value.updatedAt === "number" ? value : undefined;
  } catch {
    return undefined; // never torn (renamed in whole); a file edited by hand is no status
  }
}

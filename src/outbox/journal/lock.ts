// One process at a time per store directory: a lock file naming its holder (PID, host, start time).
// Created by link(2), which fails if the file exists, so two openers never both win; a lock whose
// holder is gone (killed, crashed) is removed by one taker at a time and taken over. The holder
// touches the file while it holds it, so a lock left on another host (a container re-created under a
// new name) goes stale too.
import { type BigIntStats, constants, readFileSync } from "node:fs";
import { link, open, readFile, stat, unlink, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { Enable3OutboxError, errnoCode } from "../errors.js";
import { FILE_MODE, writeAll } from "./files.js";

export interface Holder {
  pid: number;
  host: string;
  since: string;
  /** Linux: the process's start time in clock ticks (/proc/PID/stat), so a reused PID is not taken for the holder. */
  start?: string | undefined;
}

export interface DirectoryLock {
  release(): Promise<void>;
  /** Rejects (Enable3OutboxError `lock_lost`) once the lock file is gone or another one is in its place. */
  check(): Promise<void>;
  /** True once a check or a touch found the lock lost. */
  lost(): boolean;
}

/** How often a holder touches its lock, and how long untouched a lock of another host counts as held. */
const TOUCH_MS = 10_000;
const OTHER_HOST_STALE_MS = 60_000;
const TAKEOVER_STALE_MS = 10_000;
/** What a write gets when the disk (or the user's quota) is full. */
const NO_ROOM = new Set(["ENOSPC", "EDQUOT"]);

/** `onLost` is told once, when the holder finds its lock deleted or replaced (on its touch, or a check). */
export async function lockDirectory(
  dir: string,
  what: string,
  onLost: (error: Error) => void = () => {},
  touchMs = TOUCH_MS,
): Promise<DirectoryLock> {
  const file = path.join(dir, "lock");
  const me: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), start: processStart(process.pid) };
  const mine = path.join(dir, `lock.${process.pid}.${crypto.randomUUID()}.tmp`);
  const content = `${JSON.stringify(me)}\n`;
  // On a full disk the new lock's content has no room: a stale lock (left by a crash) is then
  // taken over by rewriting it in place, in the room it already has.
  let noRoom = false;
  try {
    try {
      await writeFile(mine, content, { mode: FILE_MODE, flag: "wx" });
    } catch (error) {
      if (!NO_ROOM.has(errnoCode(error) ?? "")) throw error;
      noRoom = true;
      await writeFile(mine, "", { mode: FILE_MODE, flag: "w" }); // an empty file takes no room
    }
    for (let tries = 0; ; tries++) {
      if (!noRoom && (await linked(mine, file))) return heldLock(file, what, onLost, touchMs);
      if (tries > 200) throw new Error("the lock stayed contended");
      const current = await readLock(file);
      if (current === undefined && noRoom) throw Object.assign(new Error("ENOSPC: no room for the lock file"), { code: "ENOSPC" });
      if (current === undefined) continue; // released meanwhile
      if (isHeld(current)) {
        const { holder } = current;
        const where = holder.host === me.host ? "" : ` on ${holder.host}`;
        const self = holder.pid === process.pid && holder.host === me.host ? " (this process: close the other outbox first)" : "";
        const checked =
          holder.host === me.host
            ? `checked: process ${holder.pid} answers kill(pid, 0)${holder.start ? " and its start time in /proc matches the lock's" : ""}`
            : `checked: ${holder.host} touched the lock ${Math.round((Date.now() - current.touchedAt) / 1000)} s ago; a holder touches it every ${TOUCH_MS / 1000} s`;
        throw new Enable3OutboxError(
          "locked",
          `${what} is in use by process ${holder.pid}${where}${self} since ${holder.since}: one process at a time (${checked}). Delete ${file} only once you have verified that process ${holder.pid} is gone${where}: a second writer loses records.`,
        );
      }
      if (await removeStale(file, mine, noRoom ? content : undefined)) return heldLock(file, what, onLost, touchMs);
    }
  } catch (error) {
    if (error instanceof Enable3OutboxError) throw error;
    throw new Enable3OutboxError("open_failed", `cannot lock ${what} (${errnoCode(error) ?? (error as Error).message})`, error);
  } finally {
    await unlink(mine).catch(() => {});
  }
}

/** link(2) as a test-and-set: true when `to` was made, false when it already existed. */
async function linked(from: string, to: string): Promise<boolean> {
  return link(from, to).then(
    () => true,
    (error) => (errnoCode(error) === "EEXIST" ? false : Promise.reject(error)),
  );
}

/** The lock just taken: touched while held, checked to still be ours, released only if it is. */
async function heldLock(file: string, what: string, onLost: (error: Error) => void, touchMs: number): Promise<DirectoryLock> {
  // the same file: inode and device, and its birth time (an inode number is reused at once by a new file)
  const identity = (s: BigIntStats) => `${s.dev}:${s.ino}:${s.birthtimeNs}`;
  const mine = identity(await stat(file, { bigint: true }));
  let lost: Enable3OutboxError | undefined;
  const check = async () => {
    if (lost) throw lost;
    const now = await stat(file, { bigint: true }).catch((error) => (errnoCode(error) === "ENOENT" ? undefined : Promise.reject(error)));
    if (now && identity(now) === mine) return;
    if (lost) throw lost;
    lost = new Enable3OutboxError(
      "lock_lost",
      `${what}: its lock ${file} was ${now ? "replaced by another" : "deleted"} while this process held it, so another process may be writing there: this outbox stores and sends nothing more (enqueue refuses) until it is restarted; stop the other writer first`,
    );
    onLost(lost);
    throw lost;
  };
  const touching = setInterval(() => {
    const now = new Date();
    check()
      .then(() => utimes(file, now, now))
      .catch(() => {});
  }, touchMs);
  touching.unref();
  return {
    check,
    lost: () => lost !== undefined,
    async release() {
      clearInterval(touching);
      // only our own lock: never one a later opener took over
      const current = await stat(file, { bigint: true }).catch(() => undefined);
      if (current && identity(current) === mine) await unlink(file).catch(() => {});
    },
  };
}

/** Who holds `dir`'s lock now (alive, by the same test a second opener makes), or undefined: read only, nothing taken. */
export async function lockHolder(dir: string): Promise<Holder | undefined> {
  const current = await readLock(path.join(dir, "lock"));
  return current && isHeld(current) ? current.holder : undefined;
}

interface LockFile {
  /** undefined for a file torn by a crash while it was written: its holder is gone */
  holder: Holder | undefined;
  touchedAt: number;
}

async function readLock(file: string): Promise<LockFile | undefined> {
  const gone = (error: unknown) => (errnoCode(error) === "ENOENT" ? undefined : Promise.reject(error));
  const held = await stat(file).catch(gone);
  const text = held && (await readFile(file, "utf8").catch(gone));
  return held && text !== undefined ? { holder: parseHolder(text), touchedAt: held.mtimeMs } : undefined;
}

function isHeld(lock: LockFile): lock is LockFile & { holder: Holder } {
  return lock.holder !== undefined && isAlive(lock.holder, lock.touchedAt);
}

/**
 * Removes a stale lock, one taker at a time: a second lock file (`lock.takeover`, made by link(2) like
 * the lock) is held while the lock is judged again and removed, so no taker can remove a lock another
 * has just taken over. A takeover left by a crash is held for milliseconds, so one older than
 * TAKEOVER_STALE_MS is removed. With `rewriteWith` (a full disk) the stale lock is not removed but
 * rewritten in place as ours: true when it was.
 */
async function removeStale(file: string, mine: string, rewriteWith: string | undefined): Promise<boolean> {
  const takeover = `${file}.takeover`;
  if (!(await linked(mine, takeover))) {
    const age = await stat(takeover).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > TAKEOVER_STALE_MS) await unlink(takeover).catch(() => {});
    else await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 10));
    return false;
  }
  try {
    const current = await readLock(file);
    if (current === undefined || isHeld(current)) return false;
    if (rewriteWith === undefined) {
      await unlink(file).catch((error) => (errnoCode(error) === "ENOENT" ? undefined : Promise.reject(error)));
      return false;
    }
    const handle = await open(file, constants.O_WRONLY | constants.O_NOFOLLOW);
    try {
      const data = Buffer.from(rewriteWith);
      await writeAll(handle, data, 0); // over the old holder, in the room the file has: nothing freed first
      await handle.truncate(data.length);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    return true;
  } finally {
    await unlink(takeover).catch(() => {});
  }
}

function parseHolder(text: string): Holder | undefined {
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    return typeof value.pid === "number" && typeof value.host === "string" ? (value as Holder) : undefined;
  } catch {
    return undefined; // a lock file torn by a crash while it was written: its holder is gone
  }
}

/**
 * Alive on this host (and the same process, not a later one given its PID); on another host, alive
 * while it keeps touching the lock.
 */
function isAlive(holder: Holder, touchedAt: number): boolean {
  if (holder.host !== hostname()) return Date.now() - touchedAt < OTHER_HOST_STALE_MS;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if (errnoCode(error) === "ESRCH") return false;
  }
  const fields = procStat(holder.pid);
  if (fields?.[0] === "Z") return false; // exited; only its parent's wait is missing
  const start = fields?.[19];
  return holder.start === undefined || start === undefined || start === holder.start;
}

function processStart(pid: number): string | undefined {
  return procStat(pid)?.[19];
}

/** Linux: the fields of /proc/PID/stat after the command name (which may hold spaces): state first, start time 20th. */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

// One process at a time per store directory: a lock file naming its holder (PID, host, start time).
// Created by link(2), which fails if the file exists, so two openers never both win; a lock whose
// holder is gone (killed, crashed) is moved aside and taken over.
import { readFileSync } from "node:fs";
import { link, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { Enable3OutboxError, errnoCode } from "../errors.js";
import { FILE_MODE } from "./files.js";

interface Holder {
  pid: number;
  host: string;
  since: string;
  /** Linux: the process's start time in clock ticks (/proc/PID/stat), so a reused PID is not taken for the holder. */
  start?: string | undefined;
}

export interface DirectoryLock {
  release(): Promise<void>;
}

export async function lockDirectory(dir: string, what: string): Promise<DirectoryLock> {
  const file = path.join(dir, "lock");
  const me: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), start: processStart(process.pid) };
  const mine = path.join(dir, `lock.${process.pid}.${crypto.randomUUID()}.tmp`);
  await writeFile(mine, `${JSON.stringify(me)}\n`, { mode: FILE_MODE, flag: "wx" });
  try {
    for (let tries = 0; ; tries++) {
      try {
        await link(mine, file);
        const { ino } = await stat(file);
        return {
          async release() {
            // only our own lock: never one a later opener took over
            if ((await stat(file).catch(() => undefined))?.ino === ino) await unlink(file).catch(() => {});
          },
        };
      } catch (error) {
        if (errnoCode(error) !== "EEXIST" || tries > 20) throw error;
      }
      const text = await readFile(file, "utf8").catch((error) => (errnoCode(error) === "ENOENT" ? undefined : Promise.reject(error)));
      if (text === undefined) continue; // released meanwhile
      const holder = parseHolder(text);
      if (holder && isAlive(holder)) {
        const where = holder.host === me.host ? "" : ` on ${holder.host}`;
        const self = holder.pid === process.pid && holder.host === me.host ? " (this process: close the other outbox first)" : "";
        throw new Enable3OutboxError(
          "locked",
          `${what} is in use by process ${holder.pid}${where}${self} since ${holder.since}: one process at a time. If that process is gone, delete ${file}.`,
        );
      }
      // the holder is gone: move its lock aside (only one taker can), then try again
      const aside = `${file}.stale.${process.pid}.${crypto.randomUUID()}`;
      await rename(file, aside).then(
        () => unlink(aside).catch(() => {}),
        (error) => (errnoCode(error) === "ENOENT" ? undefined : Promise.reject(error)),
      );
    }
  } catch (error) {
    if (error instanceof Enable3OutboxError) throw error;
    throw new Enable3OutboxError("open_failed", `cannot lock ${what} (${errnoCode(error) ?? (error as Error).message})`, error);
  } finally {
    await unlink(mine).catch(() => {});
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

/** Alive on this host (and the same process, not a later one given its PID); a holder on another host is taken as alive. */
function isAlive(holder: Holder): boolean {
  if (holder.host !== hostname()) return true;
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

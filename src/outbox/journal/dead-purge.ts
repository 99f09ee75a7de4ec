// Retention of a fileStore's dead records: those that died more than a given time ago are counted,
// and removed by dead.log's own rewrite (a new file, synced, renamed over the old one), so a purge cut
// short by a crash or a full disk leaves the file as it was. Nothing is rewritten when none is old enough.
import type { DeadEntry, DeadLog } from "./dead-log.js";

/** Removes (or, with `dryRun`, counts) the dead records of `deadLog` that died before `now - olderThanMs`. */
export async function purgeDeadLog(deadLog: DeadLog, olderThanMs: number, dryRun: boolean): Promise<number> {
  const cutoff = Date.now() - olderThanMs;
  const old = (entry: DeadEntry) => entry.diedAt < cutoff;
  let found = 0;
  for await (const entry of deadLog.entries()) if (old(entry)) found++;
  if (dryRun || found === 0) return found;
  return deadLog.take(old, async () => {}); // taken to nowhere: gone once the rewrite is renamed in
}

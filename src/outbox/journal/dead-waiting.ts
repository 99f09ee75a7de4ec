// Dead records that dead.log could not take (a full disk): kept in memory, still pending in their
// segment (never sent again by this process), and written again every second until the disk has
// room, which delivery and compaction make (new records are refused meanwhile, so they cannot take
// that room first). So one refusal on a full disk never holds back the settlement of the records
// around it. Told once per streak of failures to onError.
import { Enable3OutboxError, errnoCode } from "../errors.js";
import type { DeadEntry, DeadLog } from "./dead-log.js";

const RETRY_MS = 1_000;

export function createDeadWaiting(
  deadLog: DeadLog,
  recorded: (keys: string[]) => void,
  onError: (error: Error) => void,
  mayWrite: () => boolean,
) {
  const waiting = new Map<string, DeadEntry>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failing = false;

  const failed = (error: unknown) => {
    if (!failing) {
      const code = errnoCode(error) ?? (error as Error).message;
      onError(
        new Enable3OutboxError(
          "write_failed",
          `cannot write dead records to dead.log (${code}): ${waiting.size} kept pending and written again every ${RETRY_MS / 1000} s; delivery goes on`,
          error,
        ),
      );
    }
    failing = true;
    timer ??= setTimeout(retry, RETRY_MS);
    timer.unref?.();
  };

  const retry = async () => {
    timer = undefined;
    const entries = [...waiting];
    if (entries.length === 0 || !mayWrite()) return; // the lock was lost: the next holder sends them again
    try {
      await deadLog.append(entries.map(([, entry]) => entry));
    } catch (error) {
      failed(error);
      return;
    }
    failing = false;
    for (const [key] of entries) waiting.delete(key);
    recorded(entries.map(([key]) => key));
  };

  return {
    /** Writes these dead records now; the keys of those written (the rest wait, and are told to `recorded` later). */
    async write(dead: { key: string; entry: DeadEntry }[]): Promise<string[]> {
      if (dead.length === 0) return [];
      try {
        await deadLog.append(dead.map((d) => d.entry));
        return dead.map((d) => d.key);
      } catch (error) {
        for (const d of dead) waiting.set(d.key, d.entry);
        failed(error);
        return [];
      }
    },
    /** Throws (Enable3OutboxError `full`) while dead records wait for room: new ones must not take it first. */
    refuseNew(): void {
      const n = waiting.size;
      if (n === 0) return;
      throw new Enable3OutboxError(
        "full",
        `${n} dead record${n === 1 ? " waits" : "s wait"} for room in dead.log (a full disk): nothing new is stored until then`,
      );
    },
    close(): void {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}

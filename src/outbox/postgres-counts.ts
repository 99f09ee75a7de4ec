// A postgresStore's counts for stats() and maxPending: the table-wide counts read in the background
// at most every `intervalMs`, plus this process's own changes since that read (rows it added, inside
// a caller's transaction too, counted until the next read, commit or not; rows it delivered or killed;
// rows it replayed), so its maxPending holds between two reads.
import type { SqlPool } from "../postgres/sql-client.js";
import { rowsOf } from "../postgres/sql-client.js";
import type { StoreCounts } from "./contract.js";
import { asOutboxError } from "./errors.js";
import { tableCounts } from "./postgres-plans.js";

export function createTableCounts(pool: SqlPool, table: string, intervalMs: number, onError: (error: Error) => void) {
  let read = { pending: 0, dead: 0, oldestPendingMs: 0, readAt: -Infinity, reading: false };
  const mine = { added: 0, removed: 0, dead: 0 };
  let atRead = { ...mine };

  const refresh = () => {
    if (read.reading || performance.now() - read.readAt < intervalMs) return;
    read.reading = true;
    const before = { ...mine };
    pool.query(tableCounts(table)).then(
      (result) => {
        const [row] = rowsOf<{ pending: number; dead: number; oldest: number }>(result);
        read = { pending: row!.pending, dead: row!.dead, oldestPendingMs: row!.oldest, readAt: performance.now(), reading: false };
        atRead = before;
      },
      (error) => {
        read.reading = false;
        onError(asOutboxError(error, "read_failed", `cannot count the records in ${table} (read again)`));
      },
    );
  };

  return {
    refresh,
    added(n: number) {
      mine.added += n;
    },
    settled(delivered: number, dead: number) {
      mine.removed += delivered + dead;
      mine.dead += dead;
    },
    replayed(n: number) {
      mine.added += n;
      mine.dead -= n;
    },
    counts(): StoreCounts {
      refresh();
      const pending = read.pending + (mine.added - atRead.added) - (mine.removed - atRead.removed);
      return { pending: Math.max(0, pending), dead: read.dead + (mine.dead - atRead.dead), oldestPendingMs: read.oldestPendingMs };
    },
  };
}

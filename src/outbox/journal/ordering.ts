// Lines of records that share an ordering key, in journal order: a line's head is the one record of
// its key that may be handed out; the others wait behind it. A key's line is dropped once empty, so
// memory holds the keys that have records in memory, not every key ever seen.
import type { StoredRecord } from "../contract.js";

/** One key's records; `head` indexes the first not yet settled (a shift per settle would be quadratic). */
interface Line {
  records: StoredRecord[];
  head: number;
}

export class OrderingLines {
  private readonly lines = new Map<string, Line>();
  /** Records behind a head, over all lines. */
  behind = 0;

  /** Adds a record at the end of its key's line; true when it is the head (nothing of its key before it). */
  add(record: StoredRecord): boolean {
    const key = record.orderingKey!;
    const line = this.lines.get(key);
    if (!line) {
      this.lines.set(key, { records: [record], head: 0 });
      return true;
    }
    line.records.push(record);
    this.behind++;
    return false;
  }

  /** The head `record` delivered or dead: the record behind it, now the head, if any. */
  settled(record: StoredRecord): StoredRecord | undefined {
    const key = record.orderingKey!;
    const line = this.lines.get(key);
    if (!line || line.records[line.head]?.key !== record.key) return undefined; // not a head: nothing to release
    line.records[line.head] = undefined as unknown as StoredRecord; // let it be collected
    line.head++;
    if (line.head === line.records.length) {
      this.lines.delete(key);
      return undefined;
    }
    if (line.head > 1024 && line.head * 2 > line.records.length) {
      line.records = line.records.slice(line.head);
      line.head = 0;
    }
    this.behind--;
    return line.records[line.head];
  }
}

/**
 * Records held back behind a key waiting for a retry stay in memory up to `bound`; past it, reading
 * ahead pauses (every key waits) until those keys move on. True while past it; `tell` hears of each
 * crossing once.
 */
export function heldBackBound(count: () => number, bound: number, tell: (count: number) => void): () => boolean {
  let told = false;
  return () => {
    const full = count() >= bound;
    if (full && !told) tell(count());
    told = full;
    return full;
  };
}

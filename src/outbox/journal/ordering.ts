// Lines of records that share an ordering key, in journal order: a line's head is the one record of
// its key that may be handed out; the others wait behind it. A key's line is dropped once empty, so
// memory holds the keys that have records in memory, not every key ever seen.
import type { StoredRecord } from "../contract.js";

export class OrderingLines {
  private readonly lines = new Map<string, StoredRecord[]>();
  /** Records behind a head, over all lines. */
  behind = 0;

  /** Adds a record at the end of its key's line; true when it is the head (nothing of its key before it). */
  add(record: StoredRecord): boolean {
    const key = record.orderingKey!;
    const line = this.lines.get(key);
    if (!line) {
      this.lines.set(key, [record]);
      return true;
    }
    line.push(record);
    this.behind++;
    return false;
  }

  /** The head `record` delivered or dead: the record behind it, now the head, if any. */
  settled(record: StoredRecord): StoredRecord | undefined {
    const key = record.orderingKey!;
    const line = this.lines.get(key);
    if (!line || line[0]?.key !== record.key) return undefined; // not a head: nothing to release
    line.shift();
    if (line.length === 0) {
      this.lines.delete(key);
      return undefined;
    }
    this.behind--;
    return line[0];
  }

  /** Keys whose line holds records behind its head, with how many. */
  *heldBack(): Iterable<[key: string, count: number]> {
    for (const [key, line] of this.lines) if (line.length > 1) yield [key, line.length - 1];
  }
}

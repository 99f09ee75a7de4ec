// What became of a batch of records, written to the fileStore's journal: the dead first, to dead.log
// (synced), then each record's mark (settled, or its retry's time), then the segments all settled are
// compacted. One pass per batch; nothing is made per record but a dead record's entry.
import type { DeadRecord, Settlement, StoredRecord } from "./contract.js";
import { compact, type FileJournal, notify, parseKey, settledOne } from "./file-journal.js";
import type { DeadEntry } from "./journal/dead-log.js";
import { retryMark, type Segment } from "./journal/segments.js";

export async function settle(j: FileJournal, settlements: Settlement[]): Promise<void> {
  if (j.lock.lost()) return; // nothing more is written: the next holder hands these records out again
  const written = await j.deadWaiting.write(deadEntries(j, settlements));
  const inMemory = j.queue.records;
  const touched = new Set<Segment>();
  for (const s of settlements) {
    if (s.outcome === "delivered") {
      const segment = settledOne(j, s.key);
      if (segment) touched.add(segment);
    } else if (s.outcome === "released") {
      const record = inMemory.get(s.key);
      if (record) j.queue.release(record);
    } else if (s.outcome === "retry") {
      const record = inMemory.get(s.key);
      const { segment, index } = parseKey(j, s.key);
      if (!segment || !record || segment.settled.has(index)) continue;
      const state = { attempts: s.attempts, notBefore: Date.now() + s.delayMs };
      segment.retry.set(index, state);
      j.marks.queue(segment, retryMark(index, state));
      record.attempts = s.attempts;
      record.lastError = s.error;
      j.queue.retryAfter(record, s.delayMs);
    }
  }
  for (const key of written) {
    const segment = settledOne(j, key);
    if (segment) touched.add(segment);
  }
  for (const segment of touched) await compact(j, segment);
  notify(j);
}

/**
 * The batch's dead records as dead.log's entries. They are marked settled only once it holds them;
 * those it could not take (a full disk) wait in memory, still pending, and the rest of the batch goes on.
 */
function deadEntries(j: FileJournal, settlements: Settlement[]): { entry: DeadEntry; key: string }[] {
  const dead: { entry: DeadEntry; key: string }[] = [];
  for (const s of settlements) {
    if (s.outcome !== "dead") continue;
    const record = j.queue.records.get(s.key);
    if (!record) continue;
    const { segment, index } = parseKey(j, s.key);
    dead.push({
      entry: {
        ...deadOf(record),
        attempts: s.attempts,
        error: s.error,
        segment: segment?.number ?? -1,
        index,
        ...(record.orderingKey === undefined ? {} : { orderingKey: record.orderingKey }),
        ...(record.traceparent === undefined ? {} : { traceparent: record.traceparent }),
      },
      key: s.key,
    });
  }
  return dead;
}

/** A stored record given up on, or dead.log's entry, as the outbox lists it. */
export function deadOf(record: StoredRecord | DeadEntry): DeadRecord {
  const { kind, id, body, attempts, enqueuedAt, context } = record;
  const error = "error" in record ? record.error : (record.lastError ?? { name: "Enable3Error", code: "unexpected", message: "unknown" });
  const diedAt = "diedAt" in record ? record.diedAt : Date.now();
  return { kind, id, body, attempts, error, enqueuedAt, diedAt, ...(context === undefined ? {} : { context }) };
}

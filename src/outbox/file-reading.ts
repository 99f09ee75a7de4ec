// The fileStore's reads of its journal besides delivery's forward read: the pass that takes spilled
// records back (see journal/record-queue.ts), and the oldest pending record's time when it is not in memory.
import type { FileJournal } from "./file-journal.js";
import { createJournalReader } from "./journal/reader.js";

/** One step of the pass that takes spilled records back: false once there is none to take (or none left). */
export async function rescanStep(j: FileJournal): Promise<boolean> {
  if (!j.rescan) {
    if (!j.queue.startRescan()) return false;
    j.rescan = createJournalReader(
      () => j.segments,
      (record, notBefore) => notBefore > 0 && j.queue.fromJournal(record, notBefore), // only retry-marked records: fresh ones are the reader's
      () => {}, // the reader reports damage, once
    );
  }
  if (await j.rescan.readMore()) return true;
  await j.rescan.close();
  j.rescan = undefined;
  return false;
}

/**
 * Reads the oldest pending record's time from the journal when it is not in memory (at open, before
 * delivery reads anything, or with deliver: false): stats() would say 0 with a million pending.
 */
export async function readHead(j: FileJournal): Promise<void> {
  const { headSeen } = j;
  const head = j.segments.find((s) => s.live > 0);
  const key = head && `${head.number}:${head.head}`;
  if (!head || headSeen.key === key || headSeen.reading) return;
  headSeen.reading = true;
  const once = createJournalReader(
    () => [head],
    (record) => {
      if (record.key === key) Object.assign(headSeen, { key, enqueuedAt: record.enqueuedAt });
    },
    () => {},
  );
  // until the head record is read: it may lie past the first chunk (its segment's start delivered)
  try {
    while (headSeen.key !== key && (await once.readMore()));
  } finally {
    await once.close();
  }
  headSeen.reading = false;
}

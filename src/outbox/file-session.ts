// An open fileStore as the outbox sees it (contract.ts's StoreSession): enqueues appended to the
// journal, takes from the in-memory queue (the journal read forward to fill it), settlements
// (file-settle.ts), flush's watermark, dead records, counts and the close.
import { waitFor } from "../internal/timers.js";
import type { NewRecord, StoredRecord, StoreSession } from "./contract.js";
import { Enable3OutboxError, errnoCode } from "./errors.js";
import { type FileJournal, notify, READ_AHEAD } from "./file-journal.js";
import { readHead, rescanStep } from "./file-reading.js";
import { deadOf, settle } from "./file-settle.js";
import { purgeDeadLog } from "./journal/dead-purge.js";
import { LETTER_OF, type RecordLine } from "./journal/reader.js";
import { writeStatusFile } from "./journal/status-file.js";

export function fileSession(j: FileJournal): StoreSession {
  return {
    add: (records) => add(j, records),
    take: (limit, signal) => take(j, limit, signal),
    settle: (settlements) => settle(j, settlements),
    watermark: () => watermark(j),
    drained: (mark, signal) => drained(j, mark as Mark, signal),
    async *dead() {
      for await (const entry of j.deadLog.entries()) yield deadOf(entry);
    },
    replay: (ids) => replay(j, ids),
    purgeDead: (olderThanMs, dryRun) => purgeDeadLog(j.deadLog, olderThanMs, dryRun),
    publishStatus: (status) => (j.lock.lost() ? Promise.resolve() : writeStatusFile(j.dir, status)),
    counts: () => counts(j),
    close: () => close(j),
  };
}

/** Where the journal ended when flush was called: the last record's place. */
type Mark = { segment: number; index: number } | null;

async function add(j: FileJournal, records: NewRecord[]): Promise<void> {
  if (j.closed) throw new Enable3OutboxError("closed", `the outbox directory ${j.dir} is closed`);
  j.deadWaiting.refuseNew();
  const now = Date.now();
  await j.writer.append(
    records.map((r) =>
      JSON.stringify({
        k: LETTER_OF[r.kind],
        id: r.id,
        b: r.body,
        t: now,
        ...(r.context === undefined ? {} : { c: r.context }),
        ...(r.traceparent === undefined ? {} : { p: r.traceparent }),
        ...(r.orderingKey === undefined ? {} : { o: r.orderingKey }),
      } satisfies Omit<RecordLine, "n">),
    ),
  );
}

async function take(j: FileJournal, limit: number, signal: AbortSignal): Promise<StoredRecord[]> {
  const { queue } = j;
  for (;;) {
    if (j.closed || signal.aborted) return [];
    if (j.lock.lost()) {
      await waitFor(new Promise(() => {}), signal, undefined); // another process may own the journal now
      continue;
    }
    // fresh records are read even while retries are due: retries share delivery, never take it over
    if (queue.freshCount < Math.min(limit, READ_AHEAD) && !j.heldBackFull() && (await j.reader.readMore())) continue;
    if (queue.dueCount < limit && (await rescanStep(j))) continue;
    const records = queue.take(limit);
    if (records.length > 0) return records;
    await waitFor(j.changed.promise, signal, queue.nextWakeIn());
  }
}

async function watermark(j: FileJournal): Promise<Mark> {
  await j.writer.settled();
  const last = [...j.segments].reverse().find((s) => s.count > 0);
  return last ? { segment: last.number, index: last.count - 1 } : null;
}

async function drained(j: FileJournal, m: Mark, signal: AbortSignal | undefined): Promise<void> {
  for (;;) {
    const head = j.segments.find((s) => s.live > 0);
    if (!m || !head || head.number > m.segment || (head.number === m.segment && head.head > m.index)) return;
    if (signal?.aborted) throw signal.reason;
    await waitFor(j.changed.promise, signal, undefined);
  }
}

async function replay(j: FileJournal, ids: readonly string[] | undefined): Promise<number> {
  const wanted = ids ? new Set(ids) : undefined;
  return j.deadLog
    .take(
      (entry) => !wanted || wanted.has(entry.id),
      (entries) =>
        add(
          j,
          entries.map((e) => ({
            kind: e.kind,
            id: e.id,
            body: e.body,
            ...(e.context === undefined ? {} : { context: e.context }),
            ...(e.orderingKey === undefined ? {} : { orderingKey: e.orderingKey }),
            ...(e.traceparent === undefined ? {} : { traceparent: e.traceparent }),
          })),
        ),
    )
    .catch((error) => {
      if (error instanceof Enable3OutboxError) throw error;
      const code = errnoCode(error) ?? (error as Error).message;
      throw new Enable3OutboxError("write_failed", `cannot rewrite ${j.dir}/dead.log (${code}): what was replayed stays replayed`, error);
    });
}

function counts(j: FileJournal) {
  let pending = 0;
  for (const s of j.segments) pending += s.live;
  const head = j.segments.find((s) => s.live > 0);
  const key = head && `${head.number}:${head.head}`;
  const oldest = key ? (j.queue.records.get(key)?.enqueuedAt ?? (j.headSeen.key === key ? j.headSeen.enqueuedAt : undefined)) : undefined;
  if (key && oldest === undefined) readHead(j).catch(() => {}); // for the next call
  return { pending, dead: j.deadLog.count, oldestPendingMs: oldest === undefined ? 0 : Math.max(0, Date.now() - oldest) };
}

async function close(j: FileJournal): Promise<void> {
  if (j.closed) return;
  await j.writer.settled();
  j.closed = true;
  notify(j);
  j.deadWaiting.close();
  await j.reader.close();
  await j.rescan?.close();
  await j.marks.close();
  await j.writer.close();
  await j.removing;
  await j.manifest.close();
  await j.deadLog.close();
  await j.lock.release();
}

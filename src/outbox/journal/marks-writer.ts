// Writes segments' marks in the background: batched every few milliseconds, synced every
// `syncIntervalMs` and at close. A mark lost to a crash costs at most a second sending of a record,
// with its id; so marks wait for no fsync, unlike records and dead records.
import type { FileHandle } from "node:fs/promises";
import { errnoCode } from "../errors.js";
import { openOrCreate, writeAll } from "./files.js";
import type { Segment } from "./segments.js";

const BATCH_MS = 5;

/** A marks writer's state: open marks files, what waits to be written and synced. */
interface MarksState {
  readonly onError: (error: Error) => void;
  readonly handles: Map<number, FileHandle>;
  /** Segments with marks queued. */
  readonly dirty: Set<Segment>;
  /** Segments whose marks were written since their last sync. */
  readonly unsynced: Set<number>;
  /** Segments compacted: never written (nor their marks file made) again. */
  readonly dropped: Set<number>;
  /** The flushes, one after another. */
  chain: Promise<void>;
  /** The next batch's flush, when one is due. */
  timer: ReturnType<typeof setTimeout> | undefined;
  /** The failure last told, so that it is told once until a flush writes everything again. */
  failedWith: string | undefined;
}

export function createMarksWriter(syncIntervalMs: number, onError: (error: Error) => void) {
  const m: MarksState = {
    onError,
    handles: new Map(),
    dirty: new Set(),
    unsynced: new Set(),
    dropped: new Set(),
    chain: Promise.resolve(),
    timer: undefined,
    failedWith: undefined,
  };
  const syncTimer = setInterval(() => void sync(m), syncIntervalMs);
  syncTimer.unref?.();
  return {
    queue: (segment: Segment, mark: Buffer): void => queue(m, segment, mark),
    flush: (): Promise<void> => flush(m),
    sync: (): Promise<void> => sync(m),
    /** Writes and syncs a segment's queued marks now; rejects when they could not be. */
    durable: (segment: Segment): Promise<void> => durable(m, segment),
    /** Forgets a segment that was removed: its marks are no longer needed. */
    drop: (segment: Segment): Promise<void> => drop(m, segment),
    async close(): Promise<void> {
      clearInterval(syncTimer);
      await closeMarks(m);
    },
  };
}

function queue(m: MarksState, segment: Segment, mark: Buffer): void {
  segment.marksQueue.push(mark);
  m.dirty.add(segment);
  m.timer ??= setTimeout(() => {
    m.timer = undefined;
    void flush(m);
  }, BATCH_MS);
}

function flush(m: MarksState): Promise<void> {
  m.chain = m.chain.then(() => writeDirty(m));
  return m.chain;
}

function sync(m: MarksState): Promise<void> {
  return flush(m).then(async () => {
    for (const number of [...m.unsynced].sort((a, b) => a - b)) {
      m.unsynced.delete(number);
      await m.handles
        .get(number)
        ?.datasync()
        .catch((error) => m.onError(error as Error));
    }
  });
}

// Each segment on its own: one whose marks cannot be written (no room in its file's last block)
// holds back no other. A failure is told once until a flush writes everything again.
async function writeDirty(m: MarksState): Promise<void> {
  let failed = false;
  // oldest segment first: a record's settled mark is never written before that of an earlier
  // record of its ordering key, so a crash cannot leave the earlier one to be sent again after it
  for (const segment of [...m.dirty].sort((a, b) => a.number - b.number)) {
    m.dirty.delete(segment);
    const data = Buffer.concat(segment.marksQueue);
    segment.marksQueue = [];
    if (data.length === 0 || m.dropped.has(segment.number)) continue;
    try {
      await writeAll(await handleOf(m, segment), data, segment.marksBytes);
      segment.marksBytes += data.length;
      m.unsynced.add(segment.number);
    } catch (error) {
      if (m.dropped.has(segment.number)) continue; // compacted meanwhile: its marks are no longer needed
      segment.marksQueue.unshift(data); // kept, written at the next flush
      m.dirty.add(segment);
      failed = true;
      const code = errnoCode(error) ?? (error as Error).message;
      if (m.failedWith !== code) m.onError(new Error(`cannot write ${segment.marks} (${code}): will try again`, { cause: error }));
      m.failedWith = code;
    }
  }
  if (!failed) m.failedWith = undefined;
}

async function handleOf(m: MarksState, segment: Segment): Promise<FileHandle> {
  let handle = m.handles.get(segment.number);
  if (!handle) {
    handle = await openOrCreate(segment.marks);
    await handle.truncate(segment.marksBytes); // a torn last mark would spoil the next one
    m.handles.set(segment.number, handle);
  }
  return handle;
}

async function durable(m: MarksState, segment: Segment): Promise<void> {
  await flush(m);
  if (segment.marksQueue.length > 0) throw new Error(`cannot write ${segment.marks}`);
  await (await handleOf(m, segment)).datasync();
  m.unsynced.delete(segment.number);
}

async function drop(m: MarksState, segment: Segment): Promise<void> {
  m.dropped.add(segment.number);
  m.dirty.delete(segment);
  segment.marksQueue = [];
  m.unsynced.delete(segment.number);
  const handle = m.handles.get(segment.number);
  m.handles.delete(segment.number);
  await m.chain;
  await handle?.close().catch(() => {});
}

async function closeMarks(m: MarksState): Promise<void> {
  if (m.timer) clearTimeout(m.timer);
  m.timer = undefined;
  await sync(m);
  for (const handle of m.handles.values()) await handle.close().catch(() => {});
  m.handles.clear();
}

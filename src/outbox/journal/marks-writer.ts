// Writes segments' marks in the background: batched every few milliseconds, synced every
// `syncIntervalMs` and at close. A mark lost to a crash costs at most a second sending of a record,
// with its id; so marks wait for no fsync, unlike records and dead records.
import { constants } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { errnoCode } from "../errors.js";
import { FILE_MODE, writeAll } from "./files.js";
import type { Segment } from "./segments.js";

const BATCH_MS = 5;

export function createMarksWriter(syncIntervalMs: number, onError: (error: Error) => void) {
  const handles = new Map<number, FileHandle>();
  const dirty = new Set<Segment>();
  const unsynced = new Set<number>();
  /** Segments compacted: never written (nor their marks file made) again. */
  const dropped = new Set<number>();
  let chain: Promise<void> = Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failedWith: string | undefined;
  const syncTimer = setInterval(() => void sync(), syncIntervalMs);
  syncTimer.unref?.();

  const handleOf = async (segment: Segment) => {
    let handle = handles.get(segment.number);
    if (!handle) {
      handle = await open(segment.marks, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, FILE_MODE);
      await handle.truncate(segment.marksBytes); // a torn last mark would spoil the next one
      handles.set(segment.number, handle);
    }
    return handle;
  };

  // Each segment on its own: one whose marks cannot be written (no room in its file's last block)
  // holds back no other. A failure is told once until a flush writes everything again.
  const flush = (): Promise<void> => {
    chain = chain.then(async () => {
      let failed = false;
      // oldest segment first: a record's settled mark is never written before that of an earlier
      // record of its ordering key, so a crash cannot leave the earlier one to be sent again after it
      for (const segment of [...dirty].sort((a, b) => a.number - b.number)) {
        dirty.delete(segment);
        const data = Buffer.concat(segment.marksQueue);
        segment.marksQueue = [];
        if (data.length === 0 || dropped.has(segment.number)) continue;
        try {
          await writeAll(await handleOf(segment), data, segment.marksBytes);
          segment.marksBytes += data.length;
          unsynced.add(segment.number);
        } catch (error) {
          if (dropped.has(segment.number)) continue; // compacted meanwhile: its marks are no longer needed
          segment.marksQueue.unshift(data); // kept, written at the next flush
          dirty.add(segment);
          failed = true;
          const code = errnoCode(error) ?? (error as Error).message;
          if (failedWith !== code) onError(new Error(`cannot write ${segment.marks} (${code}): will try again`, { cause: error }));
          failedWith = code;
        }
      }
      if (!failed) failedWith = undefined;
    });
    return chain;
  };

  const sync = (): Promise<void> =>
    flush().then(async () => {
      for (const number of [...unsynced].sort((a, b) => a - b)) {
        unsynced.delete(number);
        await handles
          .get(number)
          ?.datasync()
          .catch((error) => onError(error as Error));
      }
    });

  return {
    queue(segment: Segment, mark: Buffer): void {
      segment.marksQueue.push(mark);
      dirty.add(segment);
      timer ??= setTimeout(() => {
        timer = undefined;
        void flush();
      }, BATCH_MS);
    },
    flush,
    sync,
    /** Writes and syncs a segment's queued marks now; rejects when they could not be. */
    async durable(segment: Segment): Promise<void> {
      await flush();
      if (segment.marksQueue.length > 0) throw new Error(`cannot write ${segment.marks}`);
      await (await handleOf(segment)).datasync();
      unsynced.delete(segment.number);
    },
    /** Forgets a segment that was removed: its marks are no longer needed. */
    async drop(segment: Segment): Promise<void> {
      dropped.add(segment.number);
      dirty.delete(segment);
      segment.marksQueue = [];
      unsynced.delete(segment.number);
      const handle = handles.get(segment.number);
      handles.delete(segment.number);
      await chain;
      await handle?.close().catch(() => {});
    },
    async close(): Promise<void> {
      clearInterval(syncTimer);
      if (timer) clearTimeout(timer);
      timer = undefined;
      await sync();
      for (const handle of handles.values()) await handle.close().catch(() => {});
      handles.clear();
    },
  };
}

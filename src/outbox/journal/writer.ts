// The group commit: records added while a write is under way wait for the next one, so one write and
// one fdatasync make every record of a batch durable. A failed write is cut back off the segment (the
// next write must not follow a torn line) and rejects the records of that batch only.
import { type FileHandle, unlink } from "node:fs/promises";
import { Enable3OutboxError, errnoCode } from "../errors.js";
import { createExclusive, syncDirectory, writeAll } from "./files.js";
import { recordFrame } from "./lines.js";
import { newSegment, type Segment } from "./segments.js";

/** Bytes waiting for the next group commit past which add() waits for the commit under way. */
const MAX_WAITING_BYTES = 16 * 1024 * 1024;

export interface WriterOptions {
  dir: string;
  segmentBytes: number;
  /** The number the next new segment gets. */
  nextNumber: number;
  /** The journal's segments, in order: a new one is pushed here. */
  segments: Segment[];
  /** A new segment's file was made: `made` records it (the manifest) before any record goes in. */
  made(segment: Segment): Promise<void>;
  /** Before each commit: rejects when nothing may be written (the lock is lost). */
  beforeCommit(): Promise<void>;
  /** After each commit. */
  committed(): void;
  /** A segment reached segmentBytes and will take no more lines. */
  sealed(segment: Segment): Promise<void>;
}

export function createJournalWriter(o: WriterOptions) {
  let nextNumber = o.nextNumber;
  let active: { segment: Segment; file: FileHandle } | undefined;
  let batch = newBatch();
  let writing = false;
  let idle: Promise<void> = Promise.resolve();
  let broken: Error | undefined;

  const writeBatches = async () => {
    writing = true;
    let finished!: () => void;
    idle = new Promise((resolve) => (finished = resolve));
    while (batch.lines.length > 0) {
      const current = batch;
      batch = newBatch();
      try {
        if (broken) throw broken;
        await o.beforeCommit();
        if (!active) {
          const segment = newSegment(o.dir, nextNumber++);
          const file = await createExclusive(segment.log);
          try {
            await syncDirectory(o.dir); // the new file's name must survive a power loss too
            await o.made(segment);
          } catch (error) {
            await file.close();
            await unlink(segment.log).catch(() => {});
            throw error;
          }
          o.segments.push(segment);
          active = { segment, file };
        }
        const { segment, file } = active;
        // numbered here, at the commit, so numbers follow one another in the segment whatever failed before
        const data = Buffer.concat(current.lines.map((json, i) => recordFrame(segment.count + i, json)));
        try {
          await writeAll(file, data, segment.bytes);
          await file.datasync();
        } catch (error) {
          await file.truncate(segment.bytes).catch((truncateError) => {
            broken = truncateError as Error; // left for the next open to cut off; nothing more is written
          });
          throw error;
        }
        segment.bytes += data.length;
        segment.count += current.lines.length;
        segment.live += current.lines.length;
        current.resolve();
        o.committed();
        if (segment.bytes >= o.segmentBytes) {
          segment.sealed = true;
          active = undefined;
          await file.close();
          await o.sealed(segment);
        }
      } catch (error) {
        if (error instanceof Enable3OutboxError) {
          current.reject(error);
          continue;
        }
        const code = errnoCode(error) ?? (error as Error).message;
        current.reject(
          new Enable3OutboxError(
            "write_failed",
            `cannot write to the outbox directory ${o.dir} (${code}): the ${current.lines.length} records of this write were not stored`,
            error,
          ),
        );
      }
    }
    writing = false;
    finished();
  };

  return {
    /** Appends records (each a JSON object's text, numbered and framed at the commit); resolves once they are durable. */
    async append(records: string[]): Promise<void> {
      while (batch.bytes > MAX_WAITING_BYTES) await idle; // backpressure: the disk sets the pace
      for (const json of records) {
        batch.lines.push(json);
        batch.bytes += json.length;
      }
      const { promise } = batch;
      if (!writing) void writeBatches();
      await promise;
    },
    /** Resolves once nothing is waiting to be written. */
    async settled(): Promise<void> {
      while (writing || batch.lines.length > 0) await idle;
    },
    /** The segment being written, if any (never deleted while it is). */
    active: () => active?.segment,
    async close(): Promise<void> {
      await active?.file.close();
      active = undefined;
    },
  };
}

function newBatch() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // each caller gets it from its own await
  return { lines: [] as string[], bytes: 0, promise, resolve, reject };
}

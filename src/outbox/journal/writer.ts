// The group commit: records added while a write is under way wait for the next one, so one write and
// one fdatasync make every record of a batch durable. A failed write rejects the records of that batch
// only, and is cut back off the segment (the next write must not follow a torn line) or, when even
// that fails, the segment is sealed at its last commit: a refused record is never delivered, and the
// writer carries on once the disk does.
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
  /**
   * A segment left with a failed write past its last commit, that could not be cut back: resolves once
   * its marks durably seal it at its committed count (what lies past it is never read).
   */
  abandoned(segment: Segment): Promise<void>;
  /** A segment reached segmentBytes and will take no more lines. */
  sealed(segment: Segment): Promise<void>;
}

export function createJournalWriter(o: WriterOptions) {
  let nextNumber = o.nextNumber;
  let active: { segment: Segment; file: FileHandle } | undefined;
  let batch = newBatch();
  let writing = false;
  let idle: Promise<void> = Promise.resolve();
  // A segment holding bytes past its last commit (a failed write that could not be cut back): nothing
  // is written until it is cut back, or sealed at its committed count (its marks say so, durably).
  let unclean: Segment | undefined;

  const cleanUp = async () => {
    const segment = unclean;
    if (!segment) return;
    if (active?.segment === segment) {
      const cut = await active.file.truncate(segment.bytes).then(
        () => true,
        () => false,
      );
      if (cut) {
        unclean = undefined;
        return;
      }
      await active.file.close().catch(() => {});
      active = undefined; // later records go to a new segment
    }
    segment.sealed = true;
    await o.abandoned(segment); // rejects while the disk refuses: tried again before the next write
    unclean = undefined;
  };

  const writeBatches = async () => {
    writing = true;
    let finished!: () => void;
    idle = new Promise((resolve) => (finished = resolve));
    while (batch.lines.length > 0) {
      const current = batch;
      batch = newBatch();
      try {
        await o.beforeCommit();
        await cleanUp();
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
          unclean = segment;
          await cleanUp().catch(() => {});
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

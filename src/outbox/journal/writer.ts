// The group commit: records added while a write is under way wait for the next one, so one write and
// one fdatasync make every record of a batch durable. A failed write rejects the records of that batch
// only, and is cut back off the segment (the next write must not follow a torn line) or, when even
// that fails, the segment is sealed at its last commit: a refused record is never delivered, and the
// writer carries on once the disk does.
import { type FileHandle, unlink } from "node:fs/promises";
import { Enable3OutboxError, errnoCode } from "../errors.js";
import { createExclusive, syncDirectory, writeSynced } from "./files.js";
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

type Batch = ReturnType<typeof newBatch>;

/** A writer's state between commits. */
interface WriterState {
  readonly o: WriterOptions;
  nextNumber: number;
  active: { segment: Segment; file: FileHandle } | undefined;
  /** The records waiting for the next commit. */
  batch: Batch;
  writing: boolean;
  /** Resolves when the writing under way ends. */
  idle: Promise<void>;
  /**
   * A segment holding bytes past its last commit (a failed write that could not be cut back): nothing
   * is written until it is cut back, or sealed at its committed count (its marks say so, durably).
   */
  unclean: Segment | undefined;
}

export function createJournalWriter(o: WriterOptions) {
  const w: WriterState = {
    o,
    nextNumber: o.nextNumber,
    active: undefined,
    batch: newBatch(),
    writing: false,
    idle: Promise.resolve(),
    unclean: undefined,
  };
  return {
    /** Appends records (each a JSON object's text, numbered and framed at the commit); resolves once they are durable. */
    append: (records: string[]): Promise<void> => append(w, records),
    /** Resolves once nothing is waiting to be written. */
    settled: (): Promise<void> => settled(w),
    /** The segment being written, if any (never deleted while it is). */
    active: (): Segment | undefined => w.active?.segment,
    close: (): Promise<void> => closeWriter(w),
  };
}

async function append(w: WriterState, records: string[]): Promise<void> {
  while (w.batch.bytes > MAX_WAITING_BYTES) await w.idle; // backpressure: the disk sets the pace
  const batch = w.batch;
  for (const json of records) {
    batch.lines.push(json);
    batch.bytes += json.length;
  }
  if (!w.writing) void writeBatches(w);
  await batch.promise;
}

async function settled(w: WriterState): Promise<void> {
  while (w.writing || w.batch.lines.length > 0) await w.idle;
}

async function closeWriter(w: WriterState): Promise<void> {
  await w.active?.file.close();
  w.active = undefined;
}

/** Commits batch after batch until none is waiting; each batch's records resolve or reject together. */
async function writeBatches(w: WriterState): Promise<void> {
  w.writing = true;
  let finished!: () => void;
  w.idle = new Promise((resolve) => (finished = resolve));
  while (w.batch.lines.length > 0) {
    const current = w.batch;
    w.batch = newBatch();
    try {
      await commit(w, current);
    } catch (error) {
      current.reject(writeError(w.o.dir, current.lines.length, error));
    }
  }
  w.writing = false;
  finished();
}

/** One write and one fdatasync for the whole batch, in the active segment (a new one when there is none). */
async function commit(w: WriterState, current: Batch): Promise<void> {
  await w.o.beforeCommit();
  await cleanUp(w);
  const { segment, file } = w.active ?? (await openSegment(w));
  // numbered here, at the commit, so numbers follow one another in the segment whatever failed before
  const data = Buffer.concat(current.lines.map((json, i) => recordFrame(segment.count + i, json)));
  try {
    await writeSynced(file, data, segment.bytes);
  } catch (error) {
    w.unclean = segment;
    await cleanUp(w).catch(() => {});
    throw error;
  }
  segment.bytes += data.length;
  segment.count += current.lines.length;
  segment.live += current.lines.length;
  current.resolve();
  w.o.committed();
  if (segment.bytes >= w.o.segmentBytes) {
    segment.sealed = true;
    w.active = undefined;
    await file.close();
    await w.o.sealed(segment);
  }
}

/** A new segment's file, made durable and recorded (`made`) before any record goes in. */
async function openSegment(w: WriterState): Promise<{ segment: Segment; file: FileHandle }> {
  const segment = newSegment(w.o.dir, w.nextNumber++);
  const file = await createExclusive(segment.log);
  try {
    await syncDirectory(w.o.dir); // the new file's name must survive a power loss too
    await w.o.made(segment);
  } catch (error) {
    await file.close();
    await unlink(segment.log).catch(() => {});
    throw error;
  }
  w.o.segments.push(segment);
  w.active = { segment, file };
  return w.active;
}

/** The unclean segment cut back to its last commit, or else sealed there and abandoned. */
async function cleanUp(w: WriterState): Promise<void> {
  const segment = w.unclean;
  if (!segment) return;
  if (w.active?.segment === segment) {
    const cut = await w.active.file.truncate(segment.bytes).then(
      () => true,
      () => false,
    );
    if (cut) {
      w.unclean = undefined;
      return;
    }
    await w.active.file.close().catch(() => {});
    w.active = undefined; // later records go to a new segment
  }
  segment.sealed = true;
  await w.o.abandoned(segment); // rejects while the disk refuses: tried again before the next write
  w.unclean = undefined;
}

/** What a batch's records are rejected with: the outbox's own errors as they are, the disk's named. */
function writeError(dir: string, records: number, error: unknown): Enable3OutboxError {
  if (error instanceof Enable3OutboxError) return error;
  const code = errnoCode(error) ?? (error as Error).message;
  return new Enable3OutboxError(
    "write_failed",
    `cannot write to the outbox directory ${dir} (${code}): the ${records} records of this write were not stored`,
    error,
  );
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

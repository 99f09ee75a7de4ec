// A fileStore's journal is a row of segment files, NNNNNNNNNN.log, each an append-only list of
// records (one framed line each, numbered from 0 inside the line: marks name that number), beside NNNNNNNNNN.marks, what became of
// them: `d I` settled (delivered or dead), `r I ATTEMPTS NOT_BEFORE` waiting to be tried again,
// `s COUNT` sealed (no more lines). In memory a segment is its counts, one bit per record and the
// retry states of the records that have one: memory grows by a bit per pending record, not a record.
import { readFile, stat, truncate as truncateFile } from "node:fs/promises";
import path from "node:path";
import { errnoCode } from "../errors.js";
import { lineChunks, openExisting, openOrCreate, writeSynced } from "./files.js";
import { createLineSplitter, frame, recordNumber, salvage, unframe } from "./lines.js";

/** When a record that failed may be tried again, and how often it was tried. */
export interface RetryState {
  attempts: number;
  notBefore: number;
}

export class Bitset {
  private bits = new Uint8Array(1024);
  has(i: number): boolean {
    return ((this.bits[i >> 3] ?? 0) & (1 << (i & 7))) !== 0;
  }
  add(i: number): void {
    if (i >> 3 >= this.bits.length) {
      const grown = new Uint8Array(Math.max(this.bits.length * 2, (i >> 3) + 1));
      grown.set(this.bits);
      this.bits = grown;
    }
    this.bits[i >> 3]! |= 1 << (i & 7);
  }
}

export interface Segment {
  number: number;
  log: string;
  marks: string;
  /** Records in the log, torn ones excluded. */
  count: number;
  /** Bytes of the log that hold committed records: readers stop there. */
  bytes: number;
  sealed: boolean;
  settled: Bitset;
  /** Records not settled. */
  live: number;
  retry: Map<number, RetryState>;
  /** No record before this index is live (it only moves forward). */
  head: number;
  /** Where the marks file ends, and marks not written yet. */
  marksBytes: number;
  marksQueue: Buffer[];
}

export const SEGMENT_NAME = /^(\d{10})\.log$/;
export const segmentFile = (dir: string, number: number, ext: "log" | "marks") =>
  path.join(dir, `${String(number).padStart(10, "0")}.${ext}`);

export function newSegment(dir: string, number: number): Segment {
  return {
    number,
    log: segmentFile(dir, number, "log"),
    marks: segmentFile(dir, number, "marks"),
    count: 0,
    bytes: 0,
    sealed: false,
    settled: new Bitset(),
    live: 0,
    retry: new Map(),
    head: 0,
    marksBytes: 0,
    marksQueue: [],
  };
}

/** Marks a record settled; false when it already was. */
export function markSettled(segment: Segment, index: number): boolean {
  if (index >= segment.count || segment.settled.has(index)) return false;
  segment.settled.add(index);
  segment.retry.delete(index);
  segment.live--;
  while (segment.head < segment.count && segment.settled.has(segment.head)) segment.head++;
  return true;
}

export const settledMark = (index: number) => frame(`d ${index}`);
export const retryMark = (index: number, state: RetryState) => frame(`r ${index} ${state.attempts} ${state.notBefore}`);
export const sealMark = (count: number) => frame(`s ${count}`);

/** What a segment's marks file says: settled numbers, retry states, and its count once sealed. */
export async function readMarks(segment: Segment): Promise<{ settled: number[]; sealedCount: number | undefined }> {
  const marks = await readFile(segment.marks).catch((error) => (errnoCode(error) === "ENOENT" ? Buffer.alloc(0) : Promise.reject(error)));
  const settled: number[] = [];
  let sealedCount: number | undefined;
  const splitter = createLineSplitter();
  splitter.push(marks, ({ bytes }) => {
    const payload = unframe(bytes);
    if (payload === undefined) return; // a torn mark: at worst a record is sent again, with its id
    const [type, a, b, c] = payload.split(" ");
    if (type === "d") settled.push(Number(a));
    else if (type === "r") segment.retry.set(Number(a), { attempts: Number(b), notBefore: Number(c) });
    else if (type === "s") sealedCount = Number(a);
  });
  segment.marksBytes = marks.length - (splitter.end()?.bytes.length ?? 0);
  return { settled, sealedCount };
}

/**
 * Reads a segment at open: its marks, and, when it was not sealed (its writer stopped), its log,
 * whose torn tail (the lines after the last good one) is cut off before the segment is sealed.
 */
export async function loadSegment(
  dir: string,
  number: number,
  onDamage: (message: string) => void,
  deferMark: (segment: Segment, mark: Buffer) => void,
): Promise<Segment> {
  const segment = newSegment(dir, number);
  const { settled, sealedCount } = await readMarks(segment);
  if (sealedCount !== undefined) {
    segment.count = sealedCount;
    segment.bytes = (await stat(segment.log)).size;
  } else {
    await scanAndSeal(segment, onDamage, deferMark);
  }
  segment.sealed = true;
  segment.live = segment.count;
  for (const index of settled) markSettled(segment, index);
  for (const index of segment.retry.keys()) if (index >= segment.count || segment.settled.has(index)) segment.retry.delete(index);
  return segment;
}

async function scanAndSeal(
  segment: Segment,
  onDamage: (message: string) => void,
  deferMark: (segment: Segment, mark: Buffer) => void,
): Promise<void> {
  const handle = await openExisting(segment.log);
  try {
    let lines = 0;
    const good = { count: 0, end: 0 };
    for await (const chunk of lineChunks(handle)) {
      for (const { bytes, offset } of chunk) {
        const n = recordNumber(bytes);
        lines++;
        if (n !== undefined) {
          good.count = Math.max(good.count, (n === -1 ? lines - 1 : n) + 1); // by number: lines may have run together
          good.end = offset + bytes.length + 1;
        }
      }
    }
    const size = (await handle.stat()).size;
    if (size > good.end) {
      // a write cut short was never acknowledged; should more than that be damaged, the ids say which
      const tail = Buffer.alloc(Math.min(size - good.end, 1024 * 1024));
      await handle.read(tail, 0, tail.length, good.end);
      const ids = salvage(tail).map((r) => JSON.stringify(r.id));
      const named =
        ids.length > 0
          ? `; ids that could be read: ${ids.slice(0, 20).join(", ")}${ids.length > 20 ? ` and ${ids.length - 20} more` : ""}`
          : "";
      onDamage(`${segment.log}: ${size - good.end} bytes after the last whole record (a write cut short by a crash) were dropped${named}`);
      await handle.truncate(good.end);
    }
    await handle.datasync();
    segment.count = good.count;
    segment.bytes = good.end;
  } finally {
    await handle.close();
  }
  try {
    const marks = await openOrCreate(segment.marks);
    try {
      await marks.truncate(segment.marksBytes); // a torn last mark would spoil the one written after it
      await writeSynced(marks, sealMark(segment.count), segment.marksBytes);
      segment.marksBytes += sealMark(segment.count).length;
    } finally {
      await marks.close();
    }
  } catch {
    // no room (a full disk): sealed in memory, its mark written later; until then a restart scans it again
    await truncateFile(segment.marks, segment.marksBytes).catch(() => {});
    deferMark(segment, sealMark(segment.count));
  }
}

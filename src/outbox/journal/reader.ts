// Reads the journal forward, one chunk at a time, handing on each record not yet settled: memory
// holds a chunk, never the backlog. It reads only what a commit made durable (a segment's `bytes`).
// A record is known by the number inside its line, never by the line's position: after a damaged
// line the reader carries on at the next whole one, and the numbers it skipped (a gap between two
// whole lines, or short of a sealed segment's count) are handed to `lost`, with what could be read
// of them.
import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import type { OutboxKind, StoredRecord } from "../contract.js";
import { errnoCode } from "../errors.js";
import { recordNumber, salvage, unframe } from "./lines.js";
import type { Segment } from "./segments.js";

/** A record as a segment line holds it. */
export interface RecordLine {
  /** Its number within its segment (what marks name it by). */
  n: number;
  k: "e" | "r" | "sa" | "sr";
  id: string;
  b: StoredRecord["body"];
  /** Enqueued at, ms since the epoch. */
  t: number;
  c?: StoredRecord["context"];
  /** The enqueuing span's W3C traceparent. */
  p?: string;
  /** Its ordering key, when it has one. */
  o?: string;
}

export const KIND_OF: Record<RecordLine["k"], OutboxKind> = { e: "event", r: "revenue", sa: "assignSegments", sr: "removeSegments" };
export const LETTER_OF: Record<OutboxKind, RecordLine["k"]> = { event: "e", revenue: "r", assignSegments: "sa", removeSegments: "sr" };

/** Records that could not be read: numbers `from` to `to` (excluded) of a segment, and what was salvaged of them. */
export type LostRecords = (segment: Segment, from: number, to: number, salvaged: { index: number; id: string }[], why: string) => void;

const CHUNK = 64 * 1024;

/** Where a reader is and what it holds between chunks. */
interface ReaderState {
  readonly segments: () => readonly Segment[];
  readonly found: (record: StoredRecord, notBefore: number) => void;
  readonly lost: LostRecords;
  /** The segment read, the next byte to read in it, and the next record number expected there. */
  at: { segment: number; offset: number; next: number };
  /** What was salvaged of damaged lines since the last whole one. */
  salvaged: { index: number; id: string }[];
  damagedLines: number;
  handle: { segment: number; file: FileHandle } | undefined;
  buffer: Buffer;
}

export function createJournalReader(
  segments: () => readonly Segment[],
  found: (record: StoredRecord, notBefore: number) => void,
  lost: LostRecords,
) {
  const state: ReaderState = {
    segments,
    found,
    lost,
    at: { segment: -1, offset: 0, next: 0 },
    salvaged: [],
    damagedLines: 0,
    handle: undefined,
    buffer: Buffer.allocUnsafe(CHUNK),
  };
  return {
    /** Reads the next chunk; false when everything committed has been read. */
    readMore: (): Promise<boolean> => readMore(state),
    close: (): Promise<void> => closeReader(state),
  };
}

async function readMore(r: ReaderState): Promise<boolean> {
  for (;;) {
    const segment = r.segments().find((s) => s.number >= r.at.segment);
    if (!segment) return false;
    if (segment.number !== r.at.segment) r.at = { segment: segment.number, offset: 0, next: 0 };
    if (r.at.offset >= segment.bytes || r.at.next >= segment.count) {
      if (segment.sealed && r.segments().some((s) => s.number > segment.number)) {
        gap(r, segment, segment.count, r.damagedLines > 0 ? "damaged" : "missing");
        r.at = { segment: segment.number + 1, offset: 0, next: 0 };
        continue;
      }
      if (segment.sealed) gap(r, segment, segment.count, r.damagedLines > 0 ? "damaged" : "missing");
      return false;
    }
    let file: FileHandle;
    try {
      file = await fileOf(r, segment);
    } catch (error) {
      if (errnoCode(error) !== "ENOENT") throw error;
      gap(r, segment, segment.count, "deleted");
      r.at.offset = segment.bytes;
      r.at.next = segment.count;
      continue;
    }
    const want = Math.min(r.buffer.length, segment.bytes - r.at.offset);
    const { bytesRead } = await file.read(r.buffer, 0, want, r.at.offset);
    const data = r.buffer.subarray(0, bytesRead);
    let start = 0;
    for (let end = data.indexOf(10); end !== -1; end = data.indexOf(10, start)) {
      line(r, segment, data.subarray(start, end));
      start = end + 1;
    }
    if (start === 0 && r.at.offset + bytesRead < segment.bytes) {
      r.buffer = Buffer.allocUnsafe(r.buffer.length * 2); // a line longer than the buffer
      continue;
    }
    if (start === 0 || bytesRead === 0) {
      // the file ends inside a line (cut short), or sooner than it should
      if (bytesRead > 0) line(r, segment, Buffer.from(data));
      r.at.offset = segment.bytes;
      continue;
    }
    r.at.offset += start;
    return true;
  }
}

async function closeReader(r: ReaderState): Promise<void> {
  await r.handle?.file.close().catch(() => {});
  r.handle = undefined;
}

async function fileOf(r: ReaderState, segment: Segment): Promise<FileHandle> {
  if (r.handle?.segment === segment.number) return r.handle.file;
  await closeReader(r);
  r.handle = { segment: segment.number, file: await open(segment.log, "r") };
  return r.handle.file;
}

/** The numbers from `at.next` to `to` were not found whole. */
function gap(r: ReaderState, segment: Segment, to: number, why: string): void {
  if (to > r.at.next) r.lost(segment, r.at.next, to, r.salvaged, why);
  r.at.next = Math.max(r.at.next, to);
  r.salvaged = [];
  r.damagedLines = 0;
}

function line(r: ReaderState, segment: Segment, bytes: Buffer): void {
  let n = recordNumber(bytes);
  if (n === undefined) {
    r.damagedLines++;
    r.salvaged.push(...salvage(bytes));
    return;
  }
  if (n === -1) n = r.at.next; // a line written before records were numbered: its position
  if (n < r.at.next || n >= segment.count) return; // seen already, or never committed
  if (n > r.at.next || r.damagedLines > 0) gap(r, segment, n, "damaged");
  r.at.next = n + 1;
  if (!segment.settled.has(n)) decode(r, segment, n, bytes);
}

function decode(r: ReaderState, segment: Segment, index: number, bytes: Buffer): void {
  const payload = unframe(bytes);
  let value: RecordLine | undefined;
  try {
    value = payload === undefined ? undefined : (JSON.parse(payload) as RecordLine);
  } catch {}
  if (!value || typeof value.id !== "string" || !Object.hasOwn(KIND_OF, value.k)) {
    r.lost(segment, index, index + 1, [], "damaged");
    return;
  }
  const retry = segment.retry.get(index);
  r.found(
    {
      key: `${segment.number}:${index}`,
      kind: KIND_OF[value.k],
      id: value.id,
      body: value.b,
      attempts: retry?.attempts ?? 0,
      enqueuedAt: value.t,
      ...(value.c === undefined ? {} : { context: value.c }),
      ...(typeof value.p === "string" ? { traceparent: value.p } : {}),
      ...(typeof value.o === "string" ? { orderingKey: value.o } : {}),
    },
    retry?.notBefore ?? 0,
  );
}

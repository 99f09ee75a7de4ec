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

export function createJournalReader(
  segments: () => readonly Segment[],
  found: (record: StoredRecord, notBefore: number) => void,
  lost: LostRecords,
) {
  let at = { segment: -1, offset: 0, next: 0 };
  let salvaged: { index: number; id: string }[] = [];
  let damagedLines = 0;
  let handle: { segment: number; file: FileHandle } | undefined;
  let buffer = Buffer.allocUnsafe(CHUNK);

  const fileOf = async (segment: Segment) => {
    if (handle?.segment === segment.number) return handle.file;
    await handle?.file.close().catch(() => {});
    handle = undefined;
    handle = { segment: segment.number, file: await open(segment.log, "r") };
    return handle.file;
  };

  /** The numbers from `at.next` to `to` were not found whole. */
  const gap = (segment: Segment, to: number, why: string) => {
    if (to > at.next) lost(segment, at.next, to, salvaged, why);
    at.next = Math.max(at.next, to);
    salvaged = [];
    damagedLines = 0;
  };

  const line = (segment: Segment, bytes: Buffer) => {
    let n = recordNumber(bytes);
    if (n === undefined) {
      damagedLines++;
      salvaged.push(...salvage(bytes));
      return;
    }
    if (n === -1) n = at.next; // a line written before records were numbered: its position
    if (n < at.next || n >= segment.count) return; // seen already, or never committed
    if (n > at.next || damagedLines > 0) gap(segment, n, "damaged");
    at.next = n + 1;
    if (!segment.settled.has(n)) decode(segment, n, bytes);
  };

  return {
    /** Reads the next chunk; false when everything committed has been read. */
    async readMore(): Promise<boolean> {
      for (;;) {
        const segment = segments().find((s) => s.number >= at.segment);
        if (!segment) return false;
        if (segment.number !== at.segment) at = { segment: segment.number, offset: 0, next: 0 };
        if (at.offset >= segment.bytes || at.next >= segment.count) {
          if (segment.sealed && segments().some((s) => s.number > segment.number)) {
            gap(segment, segment.count, damagedLines > 0 ? "damaged" : "missing");
            at = { segment: segment.number + 1, offset: 0, next: 0 };
            continue;
          }
          if (segment.sealed) gap(segment, segment.count, damagedLines > 0 ? "damaged" : "missing");
          return false;
        }
        let file: FileHandle;
        try {
          file = await fileOf(segment);
        } catch (error) {
          if (errnoCode(error) !== "ENOENT") throw error;
          gap(segment, segment.count, "deleted");
          at.offset = segment.bytes;
          at.next = segment.count;
          continue;
        }
        const want = Math.min(buffer.length, segment.bytes - at.offset);
        const { bytesRead } = await file.read(buffer, 0, want, at.offset);
        const data = buffer.subarray(0, bytesRead);
        let start = 0;
        for (let end = data.indexOf(10); end !== -1; end = data.indexOf(10, start)) {
          line(segment, data.subarray(start, end));
          start = end + 1;
        }
        if (start === 0 && at.offset + bytesRead < segment.bytes) {
          buffer = Buffer.allocUnsafe(buffer.length * 2); // a line longer than the buffer
          continue;
        }
        if (start === 0 || bytesRead === 0) {
          // the file ends inside a line (cut short), or sooner than it should
          if (bytesRead > 0) line(segment, Buffer.from(data));
          at.offset = segment.bytes;
          continue;
        }
        at.offset += start;
        return true;
      }
    },
    async close(): Promise<void> {
      await handle?.file.close().catch(() => {});
      handle = undefined;
    },
  };

  function decode(segment: Segment, index: number, bytes: Buffer) {
    const payload = unframe(bytes);
    let value: RecordLine | undefined;
    try {
      value = payload === undefined ? undefined : (JSON.parse(payload) as RecordLine);
    } catch {}
    if (!value || typeof value.id !== "string" || !Object.hasOwn(KIND_OF, value.k)) {
      lost(segment, index, index + 1, [], "damaged");
      return;
    }
    const retry = segment.retry.get(index);
    found(
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
}

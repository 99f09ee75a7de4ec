// Reads the journal forward, one chunk at a time, handing on each record not yet settled: memory
// holds a chunk, never the backlog. It reads only what a commit made durable (a segment's `bytes`).
import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import type { OutboxKind, StoredRecord } from "../contract.js";
import { unframe } from "./lines.js";
import type { Segment } from "./segments.js";

/** A record as a segment line holds it. */
export interface RecordLine {
  k: "e" | "r";
  id: string;
  b: Record<string, unknown>;
  /** Enqueued at, ms since the epoch. */
  t: number;
  c?: StoredRecord["context"];
}

export const KIND_OF: Record<RecordLine["k"], OutboxKind> = { e: "event", r: "revenue" };

const CHUNK = 64 * 1024;

export function createJournalReader(
  segments: () => readonly Segment[],
  found: (record: StoredRecord, notBefore: number) => void,
  damaged: (segment: Segment, index: number) => void,
) {
  let at = { segment: -1, offset: 0, index: 0 };
  let handle: { segment: number; file: FileHandle } | undefined;
  let buffer = Buffer.allocUnsafe(CHUNK);

  const fileOf = async (segment: Segment) => {
    if (handle?.segment === segment.number) return handle.file;
    await handle?.file.close().catch(() => {});
    handle = { segment: segment.number, file: await open(segment.log, "r") };
    return handle.file;
  };

  return {
    /** Reads the next chunk; false when everything committed has been read. */
    async readMore(): Promise<boolean> {
      for (;;) {
        const segment = segments().find((s) => s.number >= at.segment);
        if (!segment) return false;
        if (segment.number !== at.segment) at = { segment: segment.number, offset: 0, index: 0 };
        if (at.offset >= segment.bytes || at.index >= segment.count) {
          if (segment.sealed && segments().some((s) => s.number > segment.number)) {
            at = { segment: segment.number + 1, offset: 0, index: 0 };
            continue;
          }
          return false;
        }
        const file = await fileOf(segment);
        const want = Math.min(buffer.length, segment.bytes - at.offset);
        const { bytesRead } = await file.read(buffer, 0, want, at.offset);
        if (bytesRead === 0) return false;
        const data = buffer.subarray(0, bytesRead);
        let start = 0;
        for (let end = data.indexOf(10); end !== -1; end = data.indexOf(10, start)) {
          const index = at.index++;
          if (!segment.settled.has(index)) decode(segment, index, data.subarray(start, end));
          start = end + 1;
        }
        if (start === 0) buffer = Buffer.allocUnsafe(buffer.length * 2); // a line longer than the buffer
        at.offset += start;
        return true;
      }
    },
    async close(): Promise<void> {
      await handle?.file.close().catch(() => {});
      handle = undefined;
    },
  };

  function decode(segment: Segment, index: number, line: Buffer) {
    const payload = unframe(line);
    let value: RecordLine | undefined;
    try {
      value = payload === undefined ? undefined : (JSON.parse(payload) as RecordLine);
    } catch {}
    if (!value || typeof value.id !== "string" || !(value.k in KIND_OF)) return damaged(segment, index);
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
      },
      retry?.notBefore ?? 0,
    );
  }
}

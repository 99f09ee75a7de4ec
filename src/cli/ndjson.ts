// Reading an import file line by line, as bytes: NDJSON records, or the dead letters of an earlier
// import (replayed as the records they carry, with their original line numbers). Lines end with LF,
// CRLF or a lone CR; a UTF-8 BOM is skipped; a line that is not valid UTF-8 or is longer than 1 MiB
// is reported, never decoded into U+FFFD nor held whole in memory.
import { createReadStream } from "node:fs";
import { crc32 } from "node:zlib";

/** The longest line read: a longer one is refused with its number. */
export const MAX_LINE_BYTES = 1024 * 1024;

/** Why a line cannot be sent as it is. */
export type LineProblem = "not valid JSON" | "not valid UTF-8" | "longer than 1 MiB";

/** One line of the file, as the import sees it. `line` is the line number in the original import; `end` the byte after it. */
export type NdjsonLine =
  | { kind: "blank"; at: number; end: number }
  | { kind: "record"; at: number; line: number; record: unknown; crc: number; end: number }
  | {
      kind: "invalid";
      at: number;
      line: number;
      problem: LineProblem;
      raw?: string;
      rawBase64?: string;
      bytes: number;
      crc: number;
      end: number;
    };

/** A dead letter this CLI wrote: the original line number, and the record (or the raw text) with the error. */
export interface DeadLetter {
  line: number;
  /** The line of the file it was read from, when that is not `line` (a replayed dead-letter file): what tells two dead letters apart. */
  at?: number;
  /** The id (event `id`, revenue `requestId`) the record was (or would have been) sent with. */
  id?: string;
  record?: unknown;
  raw?: string;
  /** A line that is not valid UTF-8, as it was (base64). */
  rawBase64?: string;
  error: Record<string, unknown>;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * The file's lines, from the first. `at` is the line in this file; `line` the line in the original
 * import, which a dead letter carries through any number of replays.
 */
export async function* readNdjson(file: string): AsyncGenerator<NdjsonLine> {
  let at = 0;
  let position = 0;
  let parts: Buffer[] = [];
  let length = 0;
  let skipLf = false;
  const out: NdjsonLine[] = [];
  const take = (chunk: Buffer, from: number, to: number) => {
    if (length + (to - from) <= MAX_LINE_BYTES) parts.push(chunk.subarray(from, to));
    length += to - from;
  };
  const finish = (end: number) => {
    at++;
    const bytes = length > MAX_LINE_BYTES ? undefined : parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    parts = [];
    const size = length;
    length = 0;
    out.push(classify(at, bytes, size, end));
  };
  for await (const data of createReadStream(file, { highWaterMark: 64 * 1024 })) {
    const chunk = data as Buffer;
    let pos = 0;
    if (skipLf && chunk[0] === 0x0a) pos = 1;
    skipLf = false;
    while (pos < chunk.length) {
      const lf = chunk.indexOf(0x0a, pos);
      const cr = chunk.indexOf(0x0d, pos);
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        take(chunk, pos, cr);
        if (cr + 1 === chunk.length) {
          skipLf = true; // a CRLF cut between two chunks
          pos = cr + 1;
        } else pos = chunk[cr + 1] === 0x0a ? cr + 2 : cr + 1;
        finish(position + pos);
      } else if (lf !== -1) {
        take(chunk, pos, lf);
        pos = lf + 1;
        finish(position + pos);
      } else {
        take(chunk, pos, chunk.length);
        pos = chunk.length;
      }
    }
    position += chunk.length;
    yield* out.splice(0);
  }
  if (length > 0 || parts.length > 0) finish(position);
  yield* out.splice(0);
}

function classify(at: number, bytes: Buffer | undefined, size: number, end: number): NdjsonLine {
  if (bytes === undefined) return { kind: "invalid", at, line: at, problem: "longer than 1 MiB", bytes: size, crc: 0, end };
  const body = at === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  const crc = crc32(body);
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { kind: "invalid", at, line: at, problem: "not valid UTF-8", rawBase64: body.toString("base64"), bytes: size, crc, end };
  }
  if (text.trim() === "") return { kind: "blank", at, end };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: "invalid", at, line: at, problem: "not valid JSON", raw: text, bytes: size, crc, end };
  }
  return fromDeadLetter(value, at, crc, end) ?? { kind: "record", at, line: at, record: value, crc, end };
}

/** A dead letter stands for its record (or its raw text, parsed again), at its original line. */
function fromDeadLetter(value: unknown, at: number, crc: number, end: number): NdjsonLine | undefined {
  if (!isDeadLetter(value)) return undefined;
  const line = value.line;
  if ("record" in value) return { kind: "record", at, line, record: value.record, crc, end };
  if (value.rawBase64 !== undefined) {
    return { kind: "invalid", at, line, problem: "not valid UTF-8", rawBase64: value.rawBase64, bytes: 0, crc, end };
  }
  if (value.raw === undefined) return { kind: "invalid", at, line, problem: "longer than 1 MiB", bytes: 0, crc, end };
  try {
    return { kind: "record", at, line, record: JSON.parse(value.raw), crc, end };
  } catch {
    return { kind: "invalid", at, line, problem: "not valid JSON", raw: value.raw, bytes: 0, crc, end };
  }
}

function isDeadLetter(value: unknown): value is DeadLetter {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  if (!Number.isInteger(v.line) || typeof v.error !== "object" || v.error === null) return false;
  return (
    "record" in v ||
    typeof v.raw === "string" ||
    typeof v.rawBase64 === "string" ||
    (v.error as { code?: unknown }).code === "line_too_long"
  );
}

/** Lines in the file, as readNdjson counts them (a last line without an end counts). */
export async function countLines(file: string): Promise<number> {
  let count = 0;
  let last = 0x0a;
  let skipLf = false;
  for await (const data of createReadStream(file, { highWaterMark: 256 * 1024 })) {
    const chunk = data as Buffer;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (byte === 0x0a) {
        if (!skipLf) count++;
        skipLf = false;
      } else if (byte === 0x0d) {
        count++;
        skipLf = true;
      } else skipLf = false;
    }
    last = chunk.at(-1) ?? last;
  }
  return last === 0x0a || last === 0x0d ? count : count + 1;
}

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

/**
 * Where a line ends in the file: `end` the byte after its text, `next` the byte after its line end, `sum`
 * the CRC-32 of every byte of the file before `end` (a running checksum: any change to what was read
 * before it changes it).
 */
export interface LinePlace {
  at: number;
  end: number;
  next: number;
  sum: number;
}

/** One line of the file, as the import sees it. `line` is the line number in the original import. */
export type NdjsonLine = LinePlace &
  (
    | { kind: "blank" }
    | { kind: "record"; line: number; record: unknown }
    | { kind: "invalid"; line: number; problem: LineProblem; raw?: string; rawBase64?: string; bytes: number }
  );

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
 * The file's lines, from the first (`-`: stdin). A pipe is read once, as it comes. `at` is the line in this file; `line` the line in the original
 * import, which a dead letter carries through any number of replays.
 */
export async function* readNdjson(file: string): AsyncGenerator<NdjsonLine> {
  let at = 0;
  let position = 0;
  let parts: Buffer[] = [];
  let length = 0;
  let skipLf = false;
  let sum = 0;
  const out: NdjsonLine[] = [];
  const take = (chunk: Buffer, from: number, to: number) => {
    if (length + (to - from) <= MAX_LINE_BYTES) parts.push(chunk.subarray(from, to));
    length += to - from;
    sum = crc32(chunk.subarray(from, to), sum);
  };
  const finish = (end: number) => {
    at++;
    const bytes = length > MAX_LINE_BYTES ? undefined : parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    parts = [];
    const size = length;
    length = 0;
    out.push(classify({ at, end, next: end, sum }, bytes, size));
  };
  /** A line end's bytes: in the running checksum, and where the next line begins. */
  const ended = (chunk: Buffer, from: number, to: number) => {
    sum = crc32(chunk.subarray(from, to), sum);
    out.at(-1)!.next = position + to;
  };
  const source = isStdin(file) ? process.stdin : createReadStream(file, { highWaterMark: 64 * 1024 });
  for await (const data of source) {
    const chunk = data as Buffer;
    let pos = 0;
    if (skipLf && chunk[0] === 0x0a) {
      ended(chunk, 0, 1);
      pos = 1;
    }
    skipLf = false;
    while (pos < chunk.length) {
      const lf = chunk.indexOf(0x0a, pos);
      const cr = chunk.indexOf(0x0d, pos);
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        take(chunk, pos, cr);
        finish(position + cr);
        const to = chunk[cr + 1] === 0x0a ? cr + 2 : cr + 1;
        skipLf = to === chunk.length && chunk[cr + 1] !== 0x0a; // a CRLF cut between two chunks
        ended(chunk, cr, to);
        pos = to;
      } else if (lf !== -1) {
        take(chunk, pos, lf);
        finish(position + lf);
        ended(chunk, lf, lf + 1);
        pos = lf + 1;
      } else {
        take(chunk, pos, chunk.length);
        pos = chunk.length;
      }
    }
    position += chunk.length;
    yield* out.splice(0, skipLf ? out.length - 1 : out.length); // a line whose LF may come next waits for it
  }
  if (length > 0 || parts.length > 0) finish(position);
  yield* out.splice(0);
}

function classify(place: LinePlace, bytes: Buffer | undefined, size: number): NdjsonLine {
  const { at } = place;
  if (bytes === undefined) return { kind: "invalid", ...place, line: at, problem: "longer than 1 MiB", bytes: size };
  const body = at === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { kind: "invalid", ...place, line: at, problem: "not valid UTF-8", rawBase64: body.toString("base64"), bytes: size };
  }
  if (text.trim() === "") return { kind: "blank", ...place };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: "invalid", ...place, line: at, problem: "not valid JSON", raw: text, bytes: size };
  }
  return fromDeadLetter(value, place) ?? { kind: "record", ...place, line: at, record: value };
}

/** A dead letter stands for its record (or its raw text, parsed again), at its original line. */
function fromDeadLetter(value: unknown, place: LinePlace): NdjsonLine | undefined {
  if (!isDeadLetter(value)) return undefined;
  const line = value.line;
  if ("record" in value) return { kind: "record", ...place, line, record: value.record };
  if (value.rawBase64 !== undefined) {
    return { kind: "invalid", ...place, line, problem: "not valid UTF-8", rawBase64: value.rawBase64, bytes: 0 };
  }
  if (value.raw === undefined) return { kind: "invalid", ...place, line, problem: "longer than 1 MiB", bytes: 0 };
  try {
    return { kind: "record", ...place, line, record: JSON.parse(value.raw) };
  } catch {
    return { kind: "invalid", ...place, line, problem: "not valid JSON", raw: value.raw, bytes: 0 };
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

/** `-`, or a name of stdin: read from process.stdin (a socket, which Node gives a child for a pipe, cannot be opened by name). */
export function isStdin(file: string): boolean {
  return file === "-" || /^\/(dev\/stdin|dev\/fd\/0|proc\/self\/fd\/0)$/.test(file);
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

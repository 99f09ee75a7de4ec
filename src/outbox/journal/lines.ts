// The journal's one framing, for every file of a fileStore: a line `<crc32, 8 hex> <payload>\n`.
// The checksum covers the payload, so a torn or damaged line is detected and never mis-read; JSON
// payloads never hold a raw newline, so a reader resynchronises at the next line.
import { crc32 } from "node:zlib";

const SPACE = 0x20;
const NEWLINE = 0x0a;
const HEADER = 9; // 8 hex digits and a space

/** One framed line, ready to append. */
export function frame(payload: string): Buffer {
  const length = Buffer.byteLength(payload);
  const line = Buffer.allocUnsafe(HEADER + length + 1);
  line.write(payload, HEADER, "utf8");
  line.write(
    crc32(line.subarray(HEADER, HEADER + length))
      .toString(16)
      .padStart(8, "0"),
    0,
    "latin1",
  );
  line[HEADER - 1] = SPACE;
  line[HEADER + length] = NEWLINE;
  return line;
}

/**
 * A record's line: its number within its segment goes first inside the payload, so a mark names a
 * record by what it is, not by where it sits (a lost or added newline moves lines, not numbers).
 * `json` is a JSON object's text.
 */
export function recordFrame(index: number, json: string): Buffer {
  return frame(`{"n":${index},${json.slice(1)}`);
}

const NUMBERED = /"n":(\d+),"k":"[er]","id":"((?:[^"\\]|\\.)*)"/g;

/** What can still be read of a damaged record line (or lines run together): numbers and ids. */
export function salvage(bytes: Buffer): { index: number; id: string }[] {
  const found: { index: number; id: string }[] = [];
  for (const m of bytes.toString("utf8").matchAll(NUMBERED)) found.push({ index: Number(m[1]), id: m[2]! });
  return found;
}

/** Ids that can still be read in a damaged line of any kind (`"id":"…"`). */
export function salvageIds(bytes: Buffer): string[] {
  return [...bytes.toString("utf8").matchAll(/"id":"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);
}

/** The payload of a line (without its newline), or undefined when the line is torn or damaged. */
export function unframe(line: Buffer): string | undefined {
  if (line.length < HEADER || line[HEADER - 1] !== SPACE) return undefined;
  const expected = Number.parseInt(line.toString("latin1", 0, HEADER - 1), 16);
  if (!Number.isInteger(expected) || crc32(line.subarray(HEADER)) !== expected) return undefined;
  return line.toString("utf8", HEADER);
}

const DIGIT_0 = 0x30;
const NUMBER_AT = HEADER + 5; // after `{"n":`

/**
 * A record line's number without parsing its JSON: undefined when the line is damaged (its checksum
 * does not match), -1 for a whole line with no number (written before records were numbered).
 */
export function recordNumber(line: Buffer): number | undefined {
  if (line.length < HEADER || line[HEADER - 1] !== SPACE) return undefined;
  const expected = Number.parseInt(line.toString("latin1", 0, HEADER - 1), 16);
  if (!Number.isInteger(expected) || crc32(line.subarray(HEADER)) !== expected) return undefined;
  if (line.toString("latin1", HEADER, NUMBER_AT) !== '{"n":') return -1;
  let n = 0;
  let at = NUMBER_AT;
  for (; at < line.length && line[at]! >= DIGIT_0 && line[at]! <= DIGIT_0 + 9; at++) n = n * 10 + line[at]! - DIGIT_0;
  return at === NUMBER_AT ? -1 : n;
}

/** A line as read: its bytes (newline excluded) and where it starts in the file. */
export interface ReadLine {
  bytes: Buffer;
  offset: number;
}

/**
 * Splits what is read from a file into lines, however the chunks fall. `end()` hands back the bytes
 * after the last newline (a torn last write), if any.
 */
export function createLineSplitter(startOffset = 0) {
  let rest: Buffer | undefined;
  let restOffset = startOffset;
  return {
    push(chunk: Buffer, each: (line: ReadLine) => void): void {
      let data = chunk;
      const offset = restOffset;
      if (rest) {
        data = Buffer.concat([rest, chunk]);
        rest = undefined;
      }
      let start = 0;
      for (let at = data.indexOf(NEWLINE); at !== -1; at = data.indexOf(NEWLINE, start)) {
        each({ bytes: data.subarray(start, at), offset: offset + start });
        start = at + 1;
      }
      if (start < data.length) rest = Buffer.from(data.subarray(start));
      restOffset = offset + start;
    },
    /** Bytes after the last newline, and where they start. */
    end(): ReadLine | undefined {
      return rest ? { bytes: rest, offset: restOffset } : undefined;
    },
  };
}

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

/** The payload of a line (without its newline), or undefined when the line is torn or damaged. */
export function unframe(line: Buffer): string | undefined {
  if (line.length < HEADER || line[HEADER - 1] !== SPACE) return undefined;
  const expected = Number.parseInt(line.toString("latin1", 0, HEADER - 1), 16);
  if (!Number.isInteger(expected) || crc32(line.subarray(HEADER)) !== expected) return undefined;
  return line.toString("utf8", HEADER);
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

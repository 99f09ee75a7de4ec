// Reading an import file line by line: NDJSON records, or the dead letters of an earlier import
// (replayed as the records they carry, with their original line numbers). Accepts a UTF-8 BOM and
// CRLF line ends.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";

/** One line of the file, as the import sees it. `line` is the line number in the original import. */
export type NdjsonLine =
  | { kind: "blank"; at: number }
  | { kind: "record"; at: number; line: number; record: unknown }
  | { kind: "invalid"; at: number; line: number; raw: string };

/** A dead letter this CLI wrote: the original line number, and the record (or the raw text) with the error. */
export interface DeadLetter {
  line: number;
  /** The id (event `id`, revenue `requestId`) the record was sent with, when it was sent. */
  id?: string;
  record?: unknown;
  raw?: string;
  error: Record<string, unknown>;
}

/**
 * The file's lines from `fromLine` (1-based) on. `at` is the line in this file; `line` the line in
 * the original import, which a dead letter carries through any number of replays.
 */
export async function* readNdjson(file: string, fromLine = 1): AsyncGenerator<NdjsonLine> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let at = 0;
  try {
    for await (const text of lines) {
      at++;
      if (at < fromLine) continue;
      const clean = at === 1 && text.startsWith("\uFEFF") ? text.slice(1) : text;
      if (clean.trim() === "") {
        yield { kind: "blank", at };
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(clean);
      } catch {
        yield { kind: "invalid", at, line: at, raw: clean };
        continue;
      }
      yield fromDeadLetter(value, at) ?? { kind: "record", at, line: at, record: value };
    }
  } finally {
    lines.close();
  }
}

/** A dead letter stands for its record (or its raw text, parsed again), at its original line. */
function fromDeadLetter(value: unknown, at: number): NdjsonLine | undefined {
  if (!isDeadLetter(value)) return undefined;
  if ("record" in value) return { kind: "record", at, line: value.line, record: value.record };
  try {
    return { kind: "record", at, line: value.line, record: JSON.parse(value.raw!) };
  } catch {
    return { kind: "invalid", at, line: value.line, raw: value.raw! };
  }
}

function isDeadLetter(value: unknown): value is DeadLetter {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return Number.isInteger(v.line) && typeof v.error === "object" && v.error !== null && ("record" in v || typeof v.raw === "string");
}

/** Lines in the file, as readNdjson counts them (a last line without a newline counts). */
export async function countLines(file: string): Promise<number> {
  let count = 0;
  let last = 10;
  for await (const chunk of createReadStream(file)) {
    for (const byte of chunk as Buffer) if (byte === 10) count++;
    last = (chunk as Buffer).at(-1) ?? last;
  }
  return last === 10 ? count : count + 1;
}

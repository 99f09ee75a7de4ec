// What becomes of one line the import reads: a blank is skipped, a line that is not a record and a
// record whose id an earlier line used are dead letters at once, a record goes to the journal with
// its id fixed (given, or derived from the import and its line number).
import type { Enable3Error } from "../index.js";
import type { Outbox } from "../outbox.js";
import type { DeadLetterFile } from "./dead-letters.js";
import type { IdSet } from "./id-set.js";
import type { ImportOptions } from "./import-options.js";
import { enqueueFor } from "./import-segments.js";
import type { ImportState } from "./import-state.js";
import type { DeadLetter, LinePlace, NdjsonLine } from "./ndjson.js";
import { fmt, type LineCounts } from "./progress.js";

export type ImportCounts = LineCounts & { duplicates: number };

/** What a line is taken into: the run (import-run.ts). */
export interface LineSink {
  readonly o: ImportOptions;
  readonly counts: ImportCounts;
  readonly ids: IdSet;
  readonly state: ImportState;
  readonly outbox: Outbox | undefined;
  readonly deadLetters: DeadLetterFile;
  accounted(place: LinePlace): void;
  deadLetter(at: number, entry: DeadLetter): boolean;
  tellFailure(text: string): void;
  refused(error: Enable3Error, entry: { place: LinePlace; line: number; id: string | undefined; record: unknown }): void;
}

/**
 * Takes a line: true when it is accounted for at once, a promise when it waits for the journal's
 * commit (or the SDK's refusal), false when its dead letter could not be written (the run stops).
 */
export function takeLine(run: LineSink, entry: NdjsonLine): boolean | Promise<void> {
  if (entry.kind === "blank") {
    run.counts.blank++;
    run.accounted(placeOf(entry));
    return true;
  }
  if (entry.kind === "invalid") return takeInvalid(run, entry);
  return takeRecord(run, entry);
}

function takeInvalid(run: LineSink, entry: Extract<NdjsonLine, { kind: "invalid" }>): boolean {
  run.counts.invalid++;
  const raw = entry.raw !== undefined ? { raw: entry.raw } : entry.rawBase64 !== undefined ? { rawBase64: entry.rawBase64 } : {};
  const tooLong = entry.problem === "longer than 1 MiB";
  const message = `line ${entry.line}: ${entry.problem}${tooLong && entry.bytes ? ` (${fmt(entry.bytes)} bytes): not sent` : ""}`;
  const code = tooLong ? { code: "line_too_long" } : entry.rawBase64 !== undefined ? { code: "invalid_utf8" } : {};
  if (!run.deadLetter(entry.at, { line: entry.line, ...raw, error: { name: "InvalidLine", ...code, message } })) return false;
  run.tellFailure(message);
  run.accounted(placeOf(entry));
  return true;
}

function takeRecord(run: LineSink, entry: Extract<NdjsonLine, { kind: "record" }>): boolean | Promise<void> {
  const { idField, kind } = run.o;
  const record = entry.record;
  const given = isObject(record) && typeof record[idField] === "string" ? (record[idField] as string) : undefined;
  // an id that is there but not a string is the line's to fix: sent as it is, refused by the SDK
  const malformed = given === undefined && isObject(record) && record[idField] !== undefined;
  const id = malformed ? undefined : (given ?? run.state.idFor(entry.at));
  const item = isObject(record) && id !== undefined ? { ...record, [idField]: id } : record;
  const first = given === undefined ? undefined : run.ids.firstUse(given, entry.line);
  if (first !== undefined) {
    run.counts.duplicates++;
    run.counts.failed++;
    const message = `line ${entry.line}: ${idField} "${given}" is already used by line ${first}: not sent`;
    if (!run.deadLetter(entry.at, { line: entry.line, id, record: item, error: { name: "DuplicateId", code: "duplicate_id", message } }))
      return false;
    run.tellFailure(message);
    run.accounted(placeOf(entry));
    return true;
  }
  run.deadLetters.sync(); // durable before the journal moves past it
  const { at, line } = entry;
  const place = placeOf(entry);
  const outbox = run.outbox!;
  return enqueueFor(kind, outbox)(item, { context: { line, at } }).then(
    () => run.accounted(place),
    (error: Enable3Error) => run.refused(error, { place, line, id, record: item }),
  );
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Where a line ends, without the rest of it (kept until the lines before it are accounted for). */
export const placeOf = ({ at, end, next, sum }: LinePlace): LinePlace => ({ at, end, next, sum });

// What becomes of one line the import reads: a blank is skipped, a line that is not a record is a dead
// letter at once, a record goes to its kind's step (the seam: `RecordStep`, one module a kind —
// import-record.ts sends events and revenue).
import type { Enable3Error } from "../index.js";
import type { Outbox } from "../outbox.js";
import type { IdSet } from "./id-set.js";
import type { ImportOptions } from "./import-options.js";
import type { ImportState } from "./import-state.js";
import type { DeadLetter, LinePlace, NdjsonLine } from "./ndjson.js";
import { fmt, type LineCounts } from "./progress.js";

export type ImportCounts = LineCounts & { duplicates: number };

/** A line that parsed as JSON: a record, or the record a replayed dead letter carries. */
export type RecordLine = Extract<NdjsonLine, { kind: "record" }>;

/**
 * What taking a line comes to: true when it is accounted for at once, a promise when it waits (for the
 * journal's commit, the SDK's refusal or its dead letter reaching the disk), false when its dead letter
 * could not be written (the run stops before it).
 */
export type Taken = boolean | Promise<void>;

/** What a line is taken into: the run (import-run.ts). */
export interface LineSink {
  readonly o: ImportOptions;
  readonly counts: ImportCounts;
  /** The ids seen, to refuse an id an earlier line used. */
  readonly ids: IdSet;
  readonly state: ImportState;
  /** The journal, open while lines are read. */
  readonly outbox: Outbox;
  /** The line is settled (delivered, journaled, a dead letter or blank): progress may move past it. */
  accounted(place: LinePlace): void;
  /** The line failed here: its dead letter is written and told, and the line accounted for once that is on disk. */
  fail(place: LinePlace, letter: DeadLetter, message: string): Taken;
  /** A record the journal refused (the SDK's check: a dead letter) or could not store (the run stops). */
  refused(error: Enable3Error, entry: { place: LinePlace; line: number; id: string | undefined; record: unknown }): void | Promise<void>;
}

/**
 * The seam a kind of record plugs into: what one record line becomes (checked, given its id, enqueued
 * through the outbox method of its kind, or failed), and what a line an earlier run took leaves behind.
 */
export interface RecordStep {
  take(run: LineSink, entry: RecordLine): Taken;
  /** A record line before the resume point, taken by an earlier run: remember what `take` checks later lines against (its id). */
  passed?(run: LineSink, entry: RecordLine): void;
}

export function takeLine(run: LineSink, step: RecordStep, entry: NdjsonLine): Taken {
  if (entry.kind === "blank") {
    run.counts.blank++;
    run.accounted(placeOf(entry));
    return true;
  }
  if (entry.kind === "invalid") return takeInvalid(run, entry);
  return step.take(run, entry);
}

function takeInvalid(run: LineSink, entry: Extract<NdjsonLine, { kind: "invalid" }>): Taken {
  run.counts.invalid++;
  const raw = entry.raw !== undefined ? { raw: entry.raw } : entry.rawBase64 !== undefined ? { rawBase64: entry.rawBase64 } : {};
  const tooLong = entry.problem === "longer than 1 MiB";
  const message = `line ${entry.line}: ${entry.problem}${tooLong && entry.bytes ? ` (${fmt(entry.bytes)} bytes): not sent` : ""}`;
  const code = tooLong ? { code: "line_too_long" } : entry.rawBase64 !== undefined ? { code: "invalid_utf8" } : {};
  return run.fail(placeOf(entry), { line: entry.line, ...raw, error: { name: "InvalidLine", ...code, message } }, message);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Where a line ends, without the rest of it (kept until the lines before it are accounted for). */
export const placeOf = ({ at, end, next, sum }: LinePlace): LinePlace => ({ at, end, next, sum });

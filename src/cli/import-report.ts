// What an import prints at the end, and how a failure reads in a dead letter: in the file's line
// numbers (field path ["event", "value"] reads "line 42: value"), with the API's own reason.
import { type Enable3Error, Enable3ValidationError, formatFieldPath } from "../index.js";
import type { FailureSummary } from "../outbox.js";
import { SIGNAL_EXIT } from "./import-stops.js";
import { EXIT } from "./output.js";
import { fmt, type LineCounts, plural } from "./progress.js";

export interface ImportSummary extends LineCounts {
  file: string;
  kind: string;
  duplicates: number;
  deadLetters: number;
  deadLetterFile: string | null;
  deadLettersHeldEarlier: boolean;
  deadLetterWriteError: string | null;
  stateError: string | null;
  state: string;
  resumed: boolean;
  stopped: boolean;
  /** The first line this run did not read, when it stopped early. */
  resumeFromLine: number | null;
}

/** What the summary step reads of a run. */
export interface FinishedRun {
  readonly o: { file: string; kind: string };
  readonly counts: LineCounts & { duplicates: number };
  readonly deadLetters: { count: number; heldEarlier: boolean; path: string; writeError: Error | undefined };
  readonly stateError: string | undefined;
  readonly stateDir: string;
  readonly state: { resumed: boolean };
  readonly stoppedAt: number | null;
  readonly resume: { through: { at: number } };
}

export function summaryOf(run: FinishedRun, complete: boolean): ImportSummary {
  const { counts, deadLetters, o } = run;
  const writeError = deadLetters.writeError as NodeJS.ErrnoException | undefined;
  return {
    file: o.file,
    kind: o.kind,
    ...counts,
    deadLetters: deadLetters.count,
    deadLetterFile: deadLetters.count || deadLetters.heldEarlier ? deadLetters.path : null,
    deadLettersHeldEarlier: deadLetters.heldEarlier,
    deadLetterWriteError: writeError ? (writeError.code ?? writeError.message) : null,
    stateError: run.stateError ?? null,
    state: run.stateDir,
    resumed: run.state.resumed,
    stopped: !complete,
    resumeFromLine: complete ? null : (run.stoppedAt ?? run.resume.through.at + 1),
  };
}

/** The exit code step: a signal's own code, else 1 when any line failed or the run did not finish. */
export function exitCodeOf(summary: ImportSummary, signalled: NodeJS.Signals | undefined): number {
  if (signalled) return SIGNAL_EXIT[signalled]!;
  return summary.deadLetters || summary.stateError || summary.deadLetterWriteError || summary.stopped ? EXIT.failure : EXIT.ok;
}

export function humanSummary(s: ImportSummary): string {
  const parts = [`${fmt(s.delivered)} delivered`, `${fmt(s.failed)} failed`, `${plural(s.invalid, "invalid line")}`];
  if (s.duplicates) parts.push(`${plural(s.duplicates, "duplicate id")}`);
  if (s.blank) parts.push(`${plural(s.blank, "blank line")} skipped`);
  const heading = s.stopped ? (s.resumeFromLine === null ? "Stopped" : `Stopped before line ${fmt(s.resumeFromLine)}`) : "Done";
  return [
    `${heading}: ${parts.join(", ")}${s.resumed ? " (this run, resuming an earlier one)" : ""}`,
    s.deadLetterFile
      ? `Dead letters (${fmt(s.deadLetters)}${s.deadLettersHeldEarlier ? " from this run, after those of earlier runs" : ""}): ${s.deadLetterFile}  (replay: enable3 import ${s.kind} ${s.deadLetterFile})`
      : "",
    s.deadLetterWriteError
      ? `The dead-letter file could not be written (${s.deadLetterWriteError}): what was not written is kept for the next run`
      : "",
    s.stateError ? `The import's state could not be written (${s.stateError}): lines from then on were not read` : "",
    s.stopped
      ? `Resume: enable3 import ${s.kind} ${s.file}  (the same command: ${s.pending ? `the ${plural(s.pending, "line")} read and not yet delivered, then ` : ""}the rest; nothing is sent under a second id)`
      : "",
  ]
    .filter(Boolean)
    .join("\n");
}

/** A failure as a dead letter carries it. `error` is the SDK's error, or the summary a store kept. */
export function describeFailure(error: Enable3Error | FailureSummary, line: number): Record<string, unknown> {
  const fields = "toJSON" in error ? (error.toJSON() as Record<string, unknown>) : (error as unknown as Record<string, unknown>);
  const { name, code, status, attempts } = fields;
  let field: string | undefined;
  let message = fields.message;
  if (error instanceof Enable3ValidationError) {
    // the SDK's path starts with what was checked ("event", or "events" and an index): the rest names the field in the record
    const steps = error.fieldPath.slice(typeof error.fieldPath[1] === "number" ? 2 : 1);
    field = formatFieldPath(steps) || undefined;
    message = `line ${line}: ${field ?? "record"} ${error.problem}`;
  }
  return Object.fromEntries(
    Object.entries({ name, code, message, status, field, attempts }).filter(([, v]) => v !== undefined && v !== ""),
  );
}

/** The one line a failed record is told by, as it happens: `line 12: value must be …`, or the API's answer. */
export function failureLine(error: Enable3Error | FailureSummary, line: number): string {
  const { message } = describeFailure(error, line);
  const text = String(message);
  return text.startsWith(`line ${line}:`) ? text : `line ${line}: ${text}`;
}

// The line loop of an import: each line of the file, passed (up to the resume point) or taken, with at
// most a window of lines waiting and of records journaled ahead of delivery.
import { setTimeout as sleep } from "node:timers/promises";
import { type LineSink, type RecordStep, takeLine } from "./import-line.js";
import type { ResumePoint } from "./import-resume.js";
import { readNdjson } from "./ndjson.js";
import type { ProgressReporter } from "./progress.js";

/** Lines journaled ahead of delivery, at most: the journal holds a window of the file, not a copy. */
const READ_AHEAD = 10_000;
/** Lines waiting at once (for the journal's commit, the SDK's answer or their dead letter's sync). */
const WAITING = 128;

export interface LoopRun extends LineSink {
  readonly resume: ResumePoint;
  readonly step: RecordStep;
  readonly progress: ProgressReporter | undefined;
  readonly stopping: "finish" | "abort" | undefined;
  /** The first line not read, when the run stopped before the end. */
  stoppedAt: number | null;
}

/** Reads the file to its end, or until a stop or a dead letter that cannot be written. */
export async function readLines(run: LoopRun): Promise<void> {
  const { resume, step } = run;
  const waiting: Promise<unknown>[] = [];
  let last = 0;
  for await (const entry of readNdjson(run.o.file)) {
    last = entry.at;
    if (entry.at <= resume.startAt) {
      if (entry.kind === "record" && entry.at >= run.state.fromLine) step.passed?.(run, entry);
      resume.passed(entry);
      continue;
    }
    const taken = run.stopping ? false : takeLine(run, step, entry);
    if (taken === false) {
      run.stoppedAt = entry.at;
      break;
    }
    if (taken !== true) {
      waiting.push(taken);
      if (waiting.length >= WAITING) await waiting.shift();
      while (!run.stopping && run.outbox.stats().pending > READ_AHEAD) await sleep(5);
    }
    run.progress?.update(run.counts);
  }
  await Promise.all(waiting);
  resume.ended(last);
}

// `enable3 import events|revenue <file.ndjson>`: every line is written to a journal (an outbox on a
// fileStore beside the dead-letter file) with its id fixed, and delivered from there. Every line ends
// delivered, in the dead-letter file (with the id it was sent with, so a replay is idempotent), or as
// a skipped blank line; a run stopped in any way is resumed by running the same command again.
// The command is a shell, after graphile-worker's cli.ts: parse (import-options.ts), run (the run
// object of import-run.ts, made with its kind's record step), report (import-report.ts).

import type { RecordStep } from "./import-line.js";
import { type ImportKind, importOptions } from "./import-options.js";
import { sendRecordStep } from "./import-record.js";
import { exitCodeOf, humanSummary } from "./import-report.js";
import { ImportRun } from "./import-run.js";
import { segmentsRecordStep } from "./import-segments.js";
import { createOutput, EXIT } from "./output.js";
import { guardOutput, reraise } from "./terminal.js";

export { importHelp, importUsage } from "./import-help.js";

/** What a record line of each kind becomes: one step a kind, in its own module. */
const RECORD_STEPS: Record<ImportKind, () => RecordStep> = {
  events: () => sendRecordStep("events"),
  revenue: () => sendRecordStep("revenue"),
  segments: segmentsRecordStep,
};

export async function runImport(args: string[]): Promise<number> {
  const options = await importOptions(args);
  const output = guardOutput();
  const print = createOutput(options.json, output.out);
  const run = new ImportRun(options, output, RECORD_STEPS[options.kind]());
  try {
    if (!(await run.open())) {
      const { file, kind } = options;
      const { completedAt } = run.state;
      print.result(
        { file, kind, alreadyImported: true, completedAt, state: run.stateDir },
        `Already imported completely on ${completedAt}, and nothing appended since: nothing sent. Lines appended later are sent by the same command; to import ${file} again from the start (new ids for lines without one), add --fresh.`,
      );
      return EXIT.ok;
    }
    await run.read();
    const summary = run.finish();
    print.result(summary, humanSummary(summary));
    if (run.signalled === "SIGHUP" || output.hungUp()) reraise("SIGHUP");
    return exitCodeOf(summary, run.signalled);
  } finally {
    run.dispose();
  }
}

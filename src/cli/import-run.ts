// One run of an import, as an object the command drives through named steps, after graphile-worker's
// runner: `open` (the resume step: --fresh, the state), `read` (the journal and the stops, then the
// line loop of import-loop.ts, then settling), `finish` (the summary). What each step acquires is
// released in reverse order, however the run ends. What a record line becomes is the `RecordStep` it
// is made with (the seam a new kind of record plugs into); the dead-letter step is `fail`/`takeDead`.
import type { Enable3Error } from "../index.js";
import { createOutbox, type DeadRecord, Enable3OutboxError, fileStore, type Outbox } from "../outbox.js";
import { type DeadLetterFile, openDeadLetterFile } from "./dead-letters.js";
import { IdSet } from "./id-set.js";
import type { ImportCounts, RecordStep, Taken } from "./import-line.js";
import { readLines } from "./import-loop.js";
import type { ImportOptions } from "./import-options.js";
import { describeFailure, failureLine, type ImportSummary, summaryOf } from "./import-report.js";
import { ResumePoint } from "./import-resume.js";
import { lineOfDead } from "./import-segments.js";
import { type ImportState, nothingNew, openImportState, removeImportState, stateDirFor } from "./import-state.js";
import { watchStops } from "./import-stops.js";
import type { DeadLetter, LinePlace } from "./ndjson.js";
import { refuseLocked } from "./outbox-lock.js";
import { printable } from "./output.js";
import { createProgressReporter, fmt, type ProgressReporter } from "./progress.js";
import type { guardOutput } from "./terminal.js";

/** How many failed lines an import tells as they happen (the dead-letter file holds every one). */
const MAX_FAILURES_TOLD = 100;

export class ImportRun {
  readonly counts: ImportCounts = { delivered: 0, failed: 0, invalid: 0, pending: 0, blank: 0, duplicates: 0 };
  readonly deadLetters: DeadLetterFile;
  readonly stateDir: string;
  readonly ids = new IdSet();
  state!: ImportState;
  resume!: ResumePoint;
  outbox!: Outbox;
  progress: ProgressReporter | undefined;
  stopping: "finish" | "abort" | undefined;
  signalled: NodeJS.Signals | undefined;
  stateError: string | undefined;
  stoppedAt: number | null = null;
  /** Aborted by a stop: a flush waiting for the last deliveries gives up. */
  readonly ended = new AbortController();
  private told = 0;
  /** What the steps acquired, released last first (graphile-worker's releasers). */
  private readonly releasers: (() => void | Promise<void>)[] = [];

  constructor(
    readonly o: ImportOptions,
    readonly output: ReturnType<typeof guardOutput>,
    readonly step: RecordStep,
  ) {
    this.deadLetters = openDeadLetterFile(o.deadLetterFile, o.file, (error) => {
      this.say(
        `cannot write the dead-letter file (${(error as NodeJS.ErrnoException).code ?? error.message}): stopping; rerun the same command once it can be written`,
      );
      this.stop("abort", "dead letters");
    });
    this.stateDir = o.stateDir ?? stateDirFor(this.deadLetters.path);
  }

  /** The resume step: opens the state (after forgetting it, with --fresh); false when an earlier run finished the file and nothing was appended since. */
  async open(): Promise<boolean> {
    if (this.o.fresh) {
      const previous = this.outboxFor();
      await previous.open().catch(refuseLocked); // not while another run holds it
      await previous.close();
      removeImportState(this.stateDir);
    }
    const { file: input, kind, fromLine } = this.o;
    this.state = openImportState({ dir: this.stateDir, input, kind, fromLine, deadLetterSize: this.deadLetters.openedAt });
    if (this.state.completedAt && nothingNew(input, this.state.progress)) return false;
    if (this.state.resumed) this.deadLetters.remember(this.state.deadLetterFrom);
    this.resume = new ResumePoint(this.state, { file: input, stateDir: this.stateDir }, (why) => (this.stateError ??= why));
    return true;
  }

  /** Opens the journal, the progress display and the stops, then reads the file into the journal (or the dead letters) until the end or a stop. */
  async read(): Promise<void> {
    try {
      this.releasers.push(watchStops(this)); // released last: a Ctrl-C while the journal closes still aborts it
      await this.openJournal();
      if (!this.o.quiet && !this.o.json) this.showProgress();
      await readLines(this);
      if (!this.stopping) await this.outbox.flush({ signal: this.ended.signal }).catch(() => {});
    } finally {
      for (const release of this.releasers.splice(0).reverse()) await release();
    }
  }

  private async openJournal() {
    const outbox = this.outboxFor();
    await outbox.open().catch(refuseLocked);
    this.outbox = outbox;
    this.releasers.push(async () => {
      await outbox.close({ timeoutMs: this.stopping === "abort" ? 0 : 30_000 });
      this.resume.save(); // the last mark, once the journal settled what it could
    });
  }

  private showProgress() {
    const { total } = this.o;
    this.progress = createProgressReporter({
      stream: this.output.stderr,
      ...(process.stderr.isTTY && total !== undefined ? { total: total - this.resume.startAt } : {}),
    });
  }

  accounted(place: LinePlace): void {
    this.resume.accounted(place);
  }

  /** The dead-letter step of a line that failed here (not JSON, a duplicate id, refused by the SDK): accounted for once its dead letter is on disk. */
  fail(place: LinePlace, letter: DeadLetter, message: string): Taken {
    if (!this.deadLetter(place.at, letter)) return false;
    this.tellFailure(message);
    // a failed sync stops the run (openDeadLetterFile's onWriteError): the line is read again by the next
    return this.deadLetters.durable().then(
      () => this.accounted(place),
      () => {},
    );
  }

  /** The dead-letter step of a record the journal could not deliver: the journal forgets it once this resolves, when its dead letter is on disk. */
  private async takeDead(record: DeadRecord): Promise<void> {
    const { line = 0, at = line } = (record.context ?? {}) as { line?: number; at?: number };
    if (!this.deadLetters.has(at)) {
      // else an earlier run wrote it just before it was stopped
      if (!this.deadLetter(at, { line, id: record.id, record: lineOfDead(record), error: describeFailure(record.error, line) }))
        throw new Error("the dead-letter file cannot be written");
      this.counts.failed++;
      this.tellFailure(failureLine(record.error, line));
      this.progress?.update(this.counts);
    }
    await this.deadLetters.durable();
  }

  /** Writes the dead letter of the line at `at` of the input, unless an earlier run of this import wrote it already. */
  private deadLetter(at: number, letter: DeadLetter): boolean {
    if (this.deadLetters.has(at)) return true;
    const { line, ...rest } = letter;
    return this.deadLetters.write(at === line ? letter : { line, at, ...rest });
  }

  refused(error: Enable3Error, entry: { place: LinePlace; line: number; id: string | undefined; record: unknown }): void | Promise<void> {
    if (error instanceof Enable3OutboxError) {
      if (error.reason !== "closed") this.stateError ??= error.message;
      this.stop("abort", "state");
      return;
    }
    this.counts.failed++;
    const { place, line, id, record } = entry;
    const failed = this.fail(place, { line, id, record, error: describeFailure(error, line) }, failureLine(error, line));
    if (typeof failed !== "boolean") return failed;
  }

  /** The stop step: "finish" lets the requests in flight end, "abort" leaves them in the journal for the next run. */
  stop(how: "finish" | "abort", why: string): void {
    if (this.stopping === "abort" || (this.stopping === "finish" && how === "finish")) return;
    const inFlight = () => fmt(this.outbox?.stats().inFlight ?? 0);
    if (how === "finish") this.say(`stopping — ${inFlight()} in flight (Ctrl-C again to abort them)`);
    else if (why !== "output") this.say(`aborting ${inFlight()} in flight; they stay in ${this.stateDir} for the next run`);
    this.stopping = how;
    this.ended.abort();
    if (how === "abort") void this.outbox?.close({ timeoutMs: 0 });
  }

  /** A message above the progress bar (or on stderr; none with --json). */
  say(text: string): void {
    if (this.progress) this.progress.message(printable(text));
    else if (!this.o.json) this.output.err(`${printable(text)}\n`);
  }

  /** Each failed line is told as it happens, up to a screenful: the rest are in the dead-letter file. */
  private tellFailure(text: string): void {
    this.told++;
    if (this.told <= MAX_FAILURES_TOLD) this.say(text);
    else if (this.told === MAX_FAILURES_TOLD + 1) this.say(`more failed lines: each is in ${this.deadLetters.path}`);
  }

  private outboxFor() {
    return createOutbox(this.o.client, {
      store: fileStore(this.stateDir),
      ...(this.o.concurrency === undefined ? {} : { concurrency: this.o.concurrency }),
      retryForMs: 0, // after the client's own retries, a failure is a dead letter (replay it later)
      takeDead: (record) => this.takeDead(record),
      onDelivered: () => {
        this.counts.delivered++;
        this.progress?.update(this.counts);
      },
    });
  }

  /** The summary step: what the run ends with; marks the import complete when it read and settled the whole file. */
  finish(): ImportSummary {
    this.counts.pending = this.outbox?.stats().pending ?? 0;
    const complete = !this.stopping && !this.stateError && !this.deadLetters.writeError && this.stoppedAt === null;
    if (complete) this.state.complete();
    this.dispose();
    return summaryOf(this, complete);
  }

  /** Ends the progress display and closes the dead-letter file; safe to call twice. */
  dispose(): void {
    this.progress?.done();
    this.deadLetters.close();
  }
}

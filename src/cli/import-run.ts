// One run of an import, as an object the command drives step by step: open (the dead-letter file, the
// state, the journal), read (each line to the journal or the dead letters), close, and summarise.
// Stops (Ctrl-C, SIGTERM, SIGHUP, a lost terminal, a write that fails) are told to it through `stop`.
import { setTimeout as sleep } from "node:timers/promises";
import type { Enable3Error } from "../index.js";
import { createOutbox, type DeadRecord, Enable3OutboxError, fileStore, type Outbox } from "../outbox.js";
import { UsageError } from "./args.js";
import { type DeadLetterFile, openDeadLetterFile } from "./dead-letters.js";
import { IdSet } from "./id-set.js";
import { type ImportCounts, isObject, type LineSink, placeOf, takeLine } from "./import-line.js";
import type { ImportOptions } from "./import-options.js";
import { describeFailure, failureLine, type ImportSummary } from "./import-report.js";
import { lineOfDead } from "./import-segments.js";
import { type ImportState, nothingNew, openImportState, removeImportState, stateDirFor } from "./import-state.js";
import { type DeadLetter, type LinePlace, type NdjsonLine, readNdjson } from "./ndjson.js";
import { refuseLocked } from "./outbox-lock.js";
import { printable } from "./output.js";
import { createProgressReporter, fmt, type ProgressReporter } from "./progress.js";
import type { guardOutput } from "./terminal.js";

/** How many failed lines an import tells as they happen (the dead-letter file holds every one). */
const MAX_FAILURES_TOLD = 100;
/** Lines journaled ahead of delivery, at most: the journal holds a window of the file, not a copy. */
const READ_AHEAD = 10_000;
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

export class ImportRun implements LineSink {
  readonly counts: ImportCounts = { delivered: 0, failed: 0, invalid: 0, pending: 0, blank: 0, duplicates: 0 };
  readonly deadLetters: DeadLetterFile;
  readonly stateDir: string;
  readonly ids = new IdSet();
  state!: ImportState;
  outbox: Outbox | undefined;
  stopping: "finish" | "abort" | undefined;
  signalled: NodeJS.Signals | undefined;
  stateError: string | undefined;
  /** The first line not read, when the run stopped before the end. */
  stoppedAt: number | null = null;
  private progress: ProgressReporter | undefined;
  private told = 0;
  private readonly ended = new AbortController();
  /** `through` is the last line before which every line is accounted for; it is what progress.json saves. */
  through: LinePlace = { at: 0, end: 0, next: 0, sum: 0 };
  private readonly finished = new Map<number, LinePlace>();
  private saving: NodeJS.Immediate | undefined;
  private saved: LinePlace | undefined;
  private readonly onSignal = (name: NodeJS.Signals) => {
    this.signalled ??= name;
    this.stop(name === "SIGINT" && !this.stopping ? "finish" : "abort", name);
  };

  constructor(
    readonly o: ImportOptions,
    readonly output: ReturnType<typeof guardOutput>,
  ) {
    this.deadLetters = openDeadLetterFile(o.deadLetterFile, o.file, (error) => {
      this.say(
        `cannot write the dead-letter file (${(error as NodeJS.ErrnoException).code ?? error.message}): stopping; rerun the same command once it can be written`,
      );
      this.stop("abort", "dead letters");
    });
    this.stateDir = o.stateDir ?? stateDirFor(this.deadLetters.path);
  }

  /** Opens the state (after forgetting it, with --fresh); false when an earlier run finished the file and nothing was appended since. */
  async openState(): Promise<boolean> {
    if (this.o.fresh) {
      const previous = this.outboxFor();
      await previous.open().catch(refuseLocked); // not while another run holds it
      await previous.close();
      removeImportState(this.stateDir);
    }
    const { file: input, kind, fromLine } = this.o;
    this.state = openImportState({ dir: this.stateDir, input, kind, fromLine, deadLetterSize: this.deadLetters.openedAt });
    return !this.state.completedAt || !nothingNew(input, this.state.progress);
  }

  /** Opens the journal, then reads the file into it (or into the dead letters) until the end or a stop. */
  async read(): Promise<void> {
    const { state } = this;
    if (state.resumed) this.deadLetters.remember(state.deadLetterFrom);
    this.outbox = this.outboxFor();
    await this.outbox.open().catch(refuseLocked);
    // lines before --from-line are never imported; a resumed run also skips what was accounted for
    const startAt = Math.max(state.fromLine - 1, state.resumed ? state.progress.at : 0);
    this.through = { end: 0, next: 0, sum: 0, ...state.progress }; // moved on by what this run accounts for
    if (!this.o.quiet && !this.o.json)
      this.progress = createProgressReporter({
        stream: this.output.stderr,
        ...(process.stderr.isTTY && this.o.total !== undefined ? { total: this.o.total - startAt } : {}),
      });
    this.output.onHangup(() => this.stop("abort", "output"));
    for (const name of SIGNALS) process.on(name, this.onSignal);
    const outstanding: Promise<unknown>[] = [];
    let last = 0;
    try {
      for await (const entry of readNdjson(this.o.file)) {
        last = entry.at;
        if (entry.at <= startAt) {
          this.skip(entry);
          continue;
        }
        const taken = this.stopping ? false : takeLine(this, entry);
        if (taken === false) {
          this.stoppedAt = entry.at;
          break;
        }
        if (taken !== true) {
          outstanding.push(taken);
          if (outstanding.length >= 128) await outstanding.shift();
          while (!this.stopping && this.outbox.stats().pending > READ_AHEAD) await sleep(5);
        }
        this.progress?.update(this.counts);
      }
      await Promise.all(outstanding);
      if (last < state.progress.at && state.progress.sum !== undefined) throw this.changed(`it ends at line ${fmt(last)}`);
      if (!this.stopping) await this.outbox.flush({ signal: this.ended.signal }).catch(() => {});
    } finally {
      if (this.saving) clearImmediate(this.saving);
      await this.outbox.close({ timeoutMs: this.stopping === "abort" ? 0 : 30_000 });
      this.saveProgress();
      for (const name of SIGNALS) process.off(name, this.onSignal);
    }
  }

  /** A line before the resume point: its id is remembered, and the bytes read up to the saved point are checked. */
  private skip(entry: NdjsonLine) {
    const { state, o } = this;
    if (entry.at >= state.fromLine && entry.kind === "record" && isObject(entry.record)) {
      const id = entry.record[o.idField];
      if (typeof id === "string") this.ids.firstUse(id, entry.line); // a duplicate after it is still caught
    }
    const saved = state.progress;
    if (state.resumed && entry.at === saved.at && saved.sum !== undefined && (entry.sum !== saved.sum || entry.end !== saved.end))
      throw this.changed(`what it holds up to line ${fmt(entry.at)} is not what was read`);
    if (entry.at > saved.at) this.through = placeOf(entry); // before --from-line: never imported
  }

  private changed(how: string) {
    return new UsageError(
      `${this.o.file} is not the file the import saved in ${this.stateDir} began with (${how}): rerun with --fresh to start over (lines without an id then get new ids)`,
    );
  }

  /**
   * The line is delivered, journaled, a dead letter or blank: progress may move past it. It is saved
   * once the lines of this turn are taken (every line of a group commit resolves in one turn), so a
   * kill -9 re-reads only what was not yet committed, never what the journal already holds.
   */
  accounted(place: LinePlace): void {
    this.finished.set(place.at, place);
    for (let next = this.finished.get(this.through.at + 1); next; next = this.finished.get(this.through.at + 1)) {
      this.through = next;
      this.finished.delete(next.at);
    }
    this.saving ??= setImmediate(() => {
      this.saving = undefined;
      this.saveProgress();
    });
  }

  private saveProgress() {
    if (this.saved === this.through) return;
    try {
      this.state.saveProgress(this.through);
      this.saved = this.through;
    } catch (error) {
      this.stateError ??= (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    }
  }

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
  tellFailure(text: string): void {
    this.told++;
    if (this.told <= MAX_FAILURES_TOLD) this.say(text);
    else if (this.told === MAX_FAILURES_TOLD + 1) this.say(`more failed lines: each is in ${this.deadLetters.path}`);
  }

  /** Writes the dead letter of the line at `at` of the input, unless an earlier run of this import wrote it already. */
  deadLetter(at: number, entry: DeadLetter): boolean {
    if (this.deadLetters.has(at)) return true;
    const { line, ...rest } = entry;
    return this.deadLetters.write(at === line ? entry : { line, at, ...rest });
  }

  /** A record the journal could not deliver, handed over by the outbox. */
  private writeDeadRecord(record: DeadRecord) {
    const { line = 0, at = line } = (record.context ?? {}) as { line?: number; at?: number };
    if (this.deadLetters.has(at)) return; // an earlier run wrote it just before it was stopped
    if (!this.deadLetter(at, { line, id: record.id, record: lineOfDead(record), error: describeFailure(record.error, line) }))
      throw new Error("the dead-letter file cannot be written");
    this.deadLetters.sync();
    this.counts.failed++;
    this.tellFailure(failureLine(record.error, line));
    this.progress?.update(this.counts);
  }

  /** A record the journal refused (the SDK's check) or could not store. */
  refused(error: Enable3Error, entry: { place: LinePlace; line: number; id: string | undefined; record: unknown }): void {
    if (error instanceof Enable3OutboxError) {
      if (error.reason !== "closed") this.stateError ??= error.message;
      this.stop("abort", "state");
      return;
    }
    this.counts.failed++;
    const { place, line, id, record } = entry;
    if (this.deadLetter(place.at, { line, id, record, error: describeFailure(error, line) })) this.accounted(place);
    this.tellFailure(failureLine(error, line));
  }

  private outboxFor() {
    return createOutbox(this.o.client, {
      store: fileStore(this.stateDir),
      ...(this.o.concurrency === undefined ? {} : { concurrency: this.o.concurrency }),
      retryForMs: 0, // after the client's own retries, a failure is a dead letter (replay it later)
      deadLetter: (record) => this.writeDeadRecord(record),
      onDelivered: () => {
        this.counts.delivered++;
        this.progress?.update(this.counts);
      },
    });
  }

  /** What the run ends with; marks the import complete when it read and settled the whole file. */
  finish(): ImportSummary {
    const { counts, deadLetters, o } = this;
    counts.pending = this.outbox?.stats().pending ?? 0;
    const complete = !this.stopping && !this.stateError && !deadLetters.writeError && this.stoppedAt === null;
    if (complete) this.state.complete();
    this.dispose();
    const writeError = deadLetters.writeError as NodeJS.ErrnoException | undefined;
    return {
      file: o.file,
      kind: o.kind,
      ...counts,
      deadLetters: deadLetters.count,
      deadLetterFile: deadLetters.count || deadLetters.heldEarlier ? deadLetters.path : null,
      deadLettersHeldEarlier: deadLetters.heldEarlier,
      deadLetterWriteError: writeError ? (writeError.code ?? writeError.message) : null,
      stateError: this.stateError ?? null,
      state: this.stateDir,
      resumed: this.state.resumed,
      stopped: !complete,
      resumeFromLine: complete ? null : (this.stoppedAt ?? this.through.at + 1),
    };
  }

  /** Ends the progress display and closes the dead-letter file; safe to call twice. */
  dispose(): void {
    this.progress?.done();
    this.deadLetters.close();
  }
}

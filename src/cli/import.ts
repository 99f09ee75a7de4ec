// `enable3 import events|revenue <file.ndjson>`: every line is written to a journal (an outbox on a
// fileStore beside the dead-letter file) with its id fixed, and delivered from there. Every line ends
// delivered, in the dead-letter file (with the id it was sent with, so a replay is idempotent), or as
// a skipped blank line; a run stopped in any way is resumed by running the same command again.
import type { Enable3Error } from "../index.js";
import { createOutbox, type DeadRecord, Enable3OutboxError, fileStore } from "../outbox.js";
import { noMorePositionals, number, parse, positional, UsageError } from "./args.js";
import { clientFrom } from "./config.js";
import { openDeadLetterFile } from "./dead-letters.js";
import { IdSet } from "./id-set.js";
import { describeFailure, failureLine, humanSummary, type ImportSummary } from "./import-report.js";
import { openImportState, removeImportState, stateDirFor } from "./import-state.js";
import { countLines, type DeadLetter, type NdjsonLine, readNdjson } from "./ndjson.js";
import { createOutput, EXIT, printable } from "./output.js";
import { createProgressReporter, fmt, type LineCounts } from "./progress.js";
import { guardOutput, reraise } from "./terminal.js";

export { importHelp, importUsage } from "./import-help.js";

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGHUP: 129, SIGTERM: 143 };
/** Lines journaled ahead of delivery, at most: the journal holds a window of the file, not a copy. */
const READ_AHEAD = 10_000;

export async function runImport(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    concurrency: { type: "string" },
    "dead-letter": { type: "string" },
    "from-line": { type: "string" },
    fresh: { type: "boolean", default: false },
    quiet: { type: "boolean", default: false },
  });
  const kind = positional(positionals, 0, "events|revenue");
  if (kind !== "events" && kind !== "revenue") throw new UsageError(`import takes events or revenue, got "${kind}"`);
  const file = positional(positionals, 1, "file.ndjson");
  noMorePositionals(positionals, 2);
  const concurrency = wholeNumber(values.concurrency, "concurrency", 1, 1024);
  const fromLine = wholeNumber(values["from-line"], "from-line", 1, Number.MAX_SAFE_INTEGER);
  const total = await countLines(file).catch(() => {
    throw new UsageError(`cannot read ${file}`);
  });
  if (fromLine !== undefined && fromLine > total)
    throw new UsageError(`--from-line ${fmt(fromLine)} is past the end of ${file} (${fmt(total)} lines)`);
  const client = clientFrom(values);
  const idField = kind === "events" ? "id" : "requestId";
  const output = guardOutput();
  let stop: (how: "finish" | "abort", why: string) => void = () => {};
  const deadLetters = openDeadLetterFile(values["dead-letter"] ?? `${file.replace(/\.ndjson$/, "")}.failed.ndjson`, file, (error) => {
    say(
      `cannot write the dead-letter file (${(error as NodeJS.ErrnoException).code ?? error.message}): stopping; rerun the same command once it can be written`,
    );
    stop("abort", "dead letters");
  });
  const stateDir = stateDirFor(deadLetters.path);
  const counts: LineCounts & { duplicates: number } = { delivered: 0, failed: 0, invalid: 0, pending: 0, blank: 0, duplicates: 0 };
  const showProgress = !values.quiet && !values.json;
  let progress: ReturnType<typeof createProgressReporter> | undefined;
  const say = (text: string) =>
    progress ? progress.message(printable(text)) : values.json ? undefined : output.err(`${printable(text)}\n`);
  // each failed line is told as it happens, up to a screenful: the rest are in the dead-letter file
  let told = 0;
  const tellFailure = (text: string) => {
    told++;
    if (told <= MAX_FAILURES_TOLD) say(text);
    else if (told === MAX_FAILURES_TOLD + 1) say(`more failed lines: each is in ${deadLetters.path}`);
  };
  const writeDeadRecord = (record: DeadRecord) => {
    const line = (record.context as { line?: number } | undefined)?.line ?? 0;
    if (deadLetters.has(line)) return; // an earlier run wrote it just before it was stopped
    if (!deadLetters.write({ line, id: record.id, record: record.body, error: describeFailure(record.error, line) }))
      throw new Error("the dead-letter file cannot be written");
    deadLetters.sync();
    counts.failed++;
    tellFailure(failureLine(record.error, line));
    progress?.update(counts);
  };
  const outboxFor = () =>
    createOutbox(client, {
      store: fileStore(stateDir),
      ...(concurrency === undefined ? {} : { concurrency }),
      retryForMs: 0, // after the client's own retries, a failure is a dead letter (replay it later)
      deadLetter: (record) => writeDeadRecord(record),
      onDelivered: () => {
        counts.delivered++;
        progress?.update(counts);
      },
    });

  try {
    if (values.fresh) {
      const previous = outboxFor();
      await previous.open().catch(refuseLocked); // not while another run holds it
      await previous.close();
      removeImportState(stateDir);
    }
    const state = openImportState({ dir: stateDir, input: file, kind, fromLine, deadLetterSize: deadLetters.openedAt });
    if (state.completedAt) {
      createOutput(values.json, output.out).result(
        { file, kind, alreadyImported: true, completedAt: state.completedAt, state: stateDir },
        `Already imported completely on ${state.completedAt}: nothing sent. To import ${file} again (new ids for lines without one), add --fresh.`,
      );
      return EXIT.ok;
    }
    if (state.resumed) deadLetters.remember(state.deadLetterFrom);
    const outbox = outboxFor();
    await outbox.open().catch(refuseLocked);
    // lines before --from-line are never imported; a resumed run also skips what was accounted for
    const startAt = Math.max(state.fromLine - 1, state.resumed ? state.progress.at : 0);
    if (showProgress && process.stderr.isTTY) progress = createProgressReporter({ stream: output.stderr, total: total - startAt });
    else if (showProgress) progress = createProgressReporter({ stream: output.stderr });

    // Lines are accounted for out of order (a refusal is immediate, a journal write waits for its commit):
    // `through` is the last line before which every line is accounted for; it is what progress.json saves.
    let through = { at: startAt, crc: state.progress.crc };
    const finished = new Map<number, number>();
    const accounted = (at: number, crc: number) => {
      finished.set(at, crc);
      while (finished.has(through.at + 1)) {
        through = { at: through.at + 1, crc: finished.get(through.at + 1)! };
        finished.delete(through.at);
      }
    };
    const saveProgress = () => {
      try {
        state.saveProgress(through.at, through.crc);
      } catch (error) {
        stateError ??= (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      }
    };
    const saver = setInterval(saveProgress, 200);

    let stopping: "finish" | "abort" | undefined;
    let signalled: string | undefined;
    let stateError: string | undefined;
    let stoppedAt: number | null = null;
    const ended = new AbortController();
    stop = (how, why) => {
      if (stopping === "abort" || (stopping === "finish" && how === "finish")) return;
      if (how === "finish") say(`stopping — ${fmt(outbox.stats().inFlight)} in flight (Ctrl-C again to abort them)`);
      else if (why !== "output") say(`aborting ${fmt(outbox.stats().inFlight)} in flight; they stay in ${stateDir} for the next run`);
      stopping = how;
      ended.abort();
      if (how === "abort") void outbox.close({ timeoutMs: 0 });
    };
    output.onHangup(() => stop("abort", "output"));
    const onSignal = (name: NodeJS.Signals) => {
      signalled ??= name;
      stop(name === "SIGINT" && !stopping ? "finish" : "abort", name);
    };
    const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
    for (const name of signals) process.on(name, onSignal);

    const deadLetter = (entry: DeadLetter) => {
      if (deadLetters.has(entry.line)) return true;
      return deadLetters.write(entry);
    };

    const ids = new IdSet();
    const outstanding: Promise<unknown>[] = [];
    const enqueue = kind === "events" ? outbox.enqueue : outbox.enqueueRevenue;
    try {
      for await (const entry of readNdjson(file)) {
        if (entry.at <= startAt) {
          if (entry.at >= state.fromLine) remember(entry, ids, idField);
          const checked = state.resumed && entry.at === state.progress.at && entry.at >= state.fromLine;
          if (checked && (entry.kind === "blank" ? 0 : entry.crc) !== state.progress.crc)
            throw new UsageError(
              `line ${fmt(entry.at)} of ${file} changed since the import saved in ${stateDir} read it: rerun with --fresh to start over`,
            );
          continue;
        }
        if (stopping) {
          stoppedAt = entry.at;
          break;
        }
        if (entry.kind === "blank") {
          counts.blank++;
          accounted(entry.at, 0);
        } else if (entry.kind === "invalid") {
          counts.invalid++;
          const raw = entry.raw !== undefined ? { raw: entry.raw } : entry.rawBase64 !== undefined ? { rawBase64: entry.rawBase64 } : {};
          const tooLong = entry.problem === "longer than 1 MiB";
          const message = `line ${entry.line}: ${entry.problem}${tooLong && entry.bytes ? ` (${fmt(entry.bytes)} bytes): not sent` : ""}`;
          const code = tooLong ? { code: "line_too_long" } : entry.rawBase64 !== undefined ? { code: "invalid_utf8" } : {};
          if (!deadLetter({ line: entry.line, ...raw, error: { name: "InvalidLine", ...code, message } })) {
            stoppedAt = entry.at;
            break;
          }
          tellFailure(message);
          accounted(entry.at, entry.crc);
        } else {
          const record = entry.record;
          const given = isObject(record) && typeof record[idField] === "string" ? (record[idField] as string) : undefined;
          // an id that is there but not a string is the line's to fix: sent as it is, refused by the SDK
          const malformed = given === undefined && isObject(record) && record[idField] !== undefined;
          const id = malformed ? undefined : (given ?? state.idFor(entry.at));
          const item = isObject(record) && id !== undefined ? { ...record, [idField]: id } : record;
          const first = given === undefined ? undefined : ids.firstUse(given, entry.line);
          if (first !== undefined) {
            counts.duplicates++;
            counts.failed++;
            const message = `line ${entry.line}: ${idField} "${given}" is already used by line ${first}: not sent`;
            if (!deadLetter({ line: entry.line, id, record: item, error: { name: "DuplicateId", code: "duplicate_id", message } })) {
              stoppedAt = entry.at;
              break;
            }
            tellFailure(message);
            accounted(entry.at, entry.crc);
            continue;
          }
          deadLetters.sync(); // durable before the journal moves past it
          const { at, line, crc } = entry;
          const done = enqueue(item as never, { context: { line, at } }).then(
            () => accounted(at, crc),
            (error: Enable3Error) => {
              if (error instanceof Enable3OutboxError) {
                if (error.reason !== "closed") stateError ??= error.message;
                stop("abort", "state");
                return;
              }
              counts.failed++;
              if (deadLetter({ line, id, record: item, error: describeFailure(error, line) })) accounted(at, crc);
              tellFailure(failureLine(error, line));
            },
          );
          outstanding.push(done);
          if (outstanding.length >= 128) await outstanding.shift();
          while (!stopping && outbox.stats().pending > READ_AHEAD) await sleep(5);
        }
        progress?.update(counts);
      }
      await Promise.all(outstanding);
      if (!stopping) await outbox.flush({ signal: ended.signal }).catch(() => {});
    } finally {
      clearInterval(saver);
      await outbox.close({ timeoutMs: stopping === "abort" ? 0 : 30_000 });
      saveProgress();
      for (const name of signals) process.off(name, onSignal);
    }
    const { pending } = outbox.stats();
    counts.pending = pending;
    const complete = !stopping && !stateError && !deadLetters.writeError && stoppedAt === null;
    if (complete) state.complete();
    progress?.done();
    deadLetters.close();
    const summary: ImportSummary = {
      file,
      kind,
      ...counts,
      deadLetters: deadLetters.count,
      deadLetterFile: deadLetters.count || deadLetters.heldEarlier ? deadLetters.path : null,
      deadLettersHeldEarlier: deadLetters.heldEarlier,
      deadLetterWriteError: deadLetters.writeError
        ? ((deadLetters.writeError as NodeJS.ErrnoException).code ?? deadLetters.writeError.message)
        : null,
      stateError: stateError ?? null,
      state: stateDir,
      resumed: state.resumed,
      stopped: !complete,
      resumeFromLine: complete ? null : (stoppedAt ?? through.at + 1),
    };
    createOutput(values.json, output.out).result(summary, humanSummary(summary));
    if (signalled === "SIGHUP" || output.hungUp()) reraise("SIGHUP");
    if (signalled) return SIGNAL_EXIT[signalled]!;
    return deadLetters.count || stateError || deadLetters.writeError || !complete ? EXIT.failure : EXIT.ok;
  } finally {
    progress?.done();
    deadLetters.close();
  }
}

/** The ids of lines read before the resume point, so that a duplicate after it is still caught. */
function remember(entry: NdjsonLine, ids: IdSet, idField: string) {
  if (entry.kind !== "record" || !isObject(entry.record)) return;
  const id = entry.record[idField];
  if (typeof id === "string") ids.firstUse(id, entry.line);
}

function refuseLocked(error: unknown): never {
  if (error instanceof Enable3OutboxError && error.reason === "locked") throw new UsageError(error.message);
  throw error;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** How many failed lines an import tells as they happen (the dead-letter file holds every one). */
const MAX_FAILURES_TOLD = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A whole-number flag within a range, named as typed. */
function wholeNumber(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  const n = number(value, flag);
  if (n !== undefined && (!Number.isInteger(n) || n < min || n > max))
    throw new UsageError(`--${flag} must be a whole number from ${min} to ${fmt(max)}, got ${value}`);
  return n;
}

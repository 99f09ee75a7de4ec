// `enable3 import events|revenue <file.ndjson>`: streams the file through the bulk API. Every line ends
// delivered, in the dead-letter file (with the id it was sent with, so a replay is idempotent), as a
// skipped blank line, or after the resume point it prints when stopped early.
import { access } from "node:fs/promises";
import { type BulkSettledItem, type Enable3Error, Enable3ValidationError, formatFieldPath } from "../index.js";
import { noMorePositionals, number, parse, positional, UsageError } from "./args.js";
import { clientFrom } from "./config.js";
import { openDeadLetterFile } from "./dead-letters.js";
import { countLines, type DeadLetter, readNdjson } from "./ndjson.js";
import { createOutput, EXIT } from "./output.js";
import { createProgressReporter, fmt, type LineCounts, plural } from "./progress.js";

export const importUsage = "enable3 import events|revenue <file.ndjson> [--concurrency N] [--dead-letter FILE] [--from-line N] [--quiet]";

export const importHelp = `Each line of the file is one JSON object, sent as is:
  events:  {"userId": "u1", "eventId": "deposit", "value": 50, "id"?: "…", "createdAt"?: "2024-02-22 10:00:00", "eventTags"?: ["slots"]}
  revenue: {"revenue": 1250.5, "requestId"?: "…", "date"?: "2024-02-22 10:00:00"}
A missing id or requestId is generated; blank lines are skipped; a UTF-8 BOM and CRLF line ends are fine.

Every line that is not delivered goes to the dead-letter file (default: FILE.failed.ndjson) with its
line number, the id it was sent with and the error. Give that file to the same command to replay it:
the same ids are sent again, so the server never counts an event twice. A dead-letter file that an
earlier run wrote is appended to, never truncated or removed; a symbolic link there is refused.

Ctrl-C once: stop reading and let the requests in flight finish. Twice (or SIGTERM): abort those too;
they go to the dead letters. Either way the command prints the --from-line to resume with.

Options:
  --concurrency N      requests in flight at once (default 8, at most 1024)
  --dead-letter FILE   where failed lines go (refused if it is the input file)
  --from-line N        start at line N of the file (resume after a stop)
  --quiet              no progress display

Examples:
  enable3 import events deposits.ndjson --concurrency 16
  enable3 import events deposits.failed.ndjson          # replay the dead letters
  enable3 import revenue revenue.ndjson --from-line 12346`;

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGHUP: 129, SIGTERM: 143 };

export async function runImport(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    concurrency: { type: "string" },
    "dead-letter": { type: "string" },
    "from-line": { type: "string" },
    quiet: { type: "boolean", default: false },
  });
  const kind = positional(positionals, 0, "events|revenue");
  if (kind !== "events" && kind !== "revenue") throw new UsageError(`import takes events or revenue, got "${kind}"`);
  const file = positional(positionals, 1, "file.ndjson");
  noMorePositionals(positionals, 2);
  const concurrency = wholeNumber(values.concurrency, "concurrency", 1, 1024);
  const fromLine = wholeNumber(values["from-line"], "from-line", 1, Number.MAX_SAFE_INTEGER) ?? 1;
  await access(file).catch(() => {
    throw new UsageError(`cannot read ${file}`);
  });
  const client = clientFrom(values);
  const idField = kind === "events" ? "id" : "requestId";
  const controller = new AbortController();
  const deadLetters = openDeadLetterFile(values["dead-letter"] ?? `${file.replace(/\.ndjson$/, "")}.failed.ndjson`, file, (error) => {
    progress?.message(
      `cannot write the dead-letter file (${(error as NodeJS.ErrnoException).code ?? error.message}): stopping; the rest go to stderr`,
    );
    stopping = true;
    controller.abort();
  });
  const counts: LineCounts = { delivered: 0, failed: 0, invalid: 0, notSent: 0, blank: 0 };
  const showProgress = !values.quiet && !values.json;
  const total = showProgress && process.stderr.isTTY ? (await countLines(file)) - (fromLine - 1) : undefined;
  const progress = showProgress ? createProgressReporter({ stream: process.stderr, total }) : undefined;
  const say = (text: string) => (progress ? progress.message(text) : values.json ? undefined : process.stderr.write(`${text}\n`));

  // Where each record in flight came from: memory stays flat however long the file.
  const origin = new Map<number, number>();
  let stopping = false;
  let stoppedEarly = false;
  let lastAt = fromLine - 1;
  let inFlight = 0;
  async function* records() {
    let index = 0;
    for await (const entry of readNdjson(file, fromLine)) {
      if (stopping) {
        stoppedEarly = true;
        return;
      }
      lastAt = entry.at;
      if (entry.kind === "blank") counts.blank++;
      else if (entry.kind === "invalid") {
        counts.invalid++;
        deadLetters.write({
          line: entry.line,
          raw: entry.raw,
          error: { name: "InvalidLine", message: `line ${entry.line}: not valid JSON` },
        });
        say(`line ${entry.line}: not valid JSON`);
      } else {
        origin.set(index++, entry.line);
        inFlight++;
        yield entry.record;
        continue;
      }
      progress?.update(counts);
    }
  }

  let signalled: string | undefined;
  const onSignal = (name: NodeJS.Signals) => {
    if (!stopping && name === "SIGINT") {
      stopping = true;
      signalled = name;
      say(`stopping — ${fmt(inFlight)} in flight (Ctrl-C again to abort them)`);
      return;
    }
    signalled ??= name;
    if (!controller.signal.aborted) say(`aborting ${fmt(inFlight)} in flight; they go to the dead letters`);
    stopping = true;
    controller.abort();
  };
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  for (const name of signals) process.on(name, onSignal);

  const onSettled = (outcome: BulkSettledItem<unknown>) => {
    inFlight--;
    const line = origin.get(outcome.index)!;
    origin.delete(outcome.index);
    if (!outcome.error) counts.delivered++;
    else {
      const notSent = outcome.error.code === "not_sent";
      if (notSent) counts.notSent++;
      else counts.failed++;
      deadLetters.write(deadLetterFor(outcome, line, idField));
    }
  };
  try {
    const bulkOptions = {
      concurrency,
      signal: controller.signal,
      collectDelivered: false,
      collectFailed: false,
      onSettled,
      onProgress: () => progress?.update(counts),
    };
    const report =
      kind === "events"
        ? await client.sendEvents(records() as AsyncIterable<never>, bulkOptions)
        : await client.sendRevenues(records() as AsyncIterable<never>, bulkOptions);
    progress?.done();
    if (report.sourceError) throw report.sourceError;
    deadLetters.close();
    const resumeFromLine = stoppedEarly || report.unreadFrom !== undefined ? lastAt + 1 : null;
    const summary = {
      file,
      kind,
      ...counts,
      deadLetters: deadLetters.count,
      deadLetterFile: deadLetters.count || deadLetters.heldEarlier ? deadLetters.path : null,
      deadLettersHeldEarlier: deadLetters.heldEarlier,
      deadLetterWriteError: deadLetters.writeError?.message ?? null,
      stopped: resumeFromLine !== null,
      resumeFromLine,
    };
    createOutput(values.json).result(summary, humanSummary(summary, kind, file));
    if (signalled) return SIGNAL_EXIT[signalled]!;
    return deadLetters.count ? EXIT.failure : EXIT.ok;
  } finally {
    progress?.done();
    for (const name of signals) process.off(name, onSignal);
    deadLetters.close();
  }
}

function humanSummary(
  s: LineCounts & {
    deadLetters: number;
    deadLetterFile: string | null;
    deadLettersHeldEarlier: boolean;
    resumeFromLine: number | null;
    deadLetterWriteError: string | null;
  },
  kind: string,
  file: string,
): string {
  const parts = [`${fmt(s.delivered)} delivered`, `${fmt(s.failed)} failed`, `${plural(s.invalid, "invalid line")}`];
  if (s.notSent) parts.push(`${fmt(s.notSent)} not sent`);
  if (s.blank) parts.push(`${plural(s.blank, "blank line")} skipped`);
  return [
    `${s.resumeFromLine === null ? "Done" : `Stopped before line ${fmt(s.resumeFromLine)}`}: ${parts.join(", ")}`,
    s.deadLetterFile
      ? `Dead letters (${fmt(s.deadLetters)}${s.deadLettersHeldEarlier ? " from this run, after those of earlier runs" : ""}): ${s.deadLetterFile}  (replay: enable3 import ${kind} ${s.deadLetterFile})`
      : "",
    s.deadLetterWriteError
      ? `The dead-letter file could not be written (${s.deadLetterWriteError}): the dead letters from then on are on stderr`
      : "",
    s.resumeFromLine === null ? "" : `Resume: enable3 import ${kind} ${file} --from-line ${s.resumeFromLine}`,
  ]
    .filter(Boolean)
    .join("\n");
}

/** The record with the id it was sent with (so a replay sends the same one), its original line, and why. */
function deadLetterFor(outcome: BulkSettledItem<unknown>, line: number, idField: string): DeadLetter {
  const { item, id, error } = outcome;
  const record = id !== undefined && typeof item === "object" && item !== null && !Array.isArray(item) ? { ...item, [idField]: id } : item;
  return { line, ...(id === undefined ? {} : { id }), record, error: describeError(error!, line) };
}

/** The error's fields, in line numbers: field path ["events", 41, "value"] (a 0-based index) reads "line 42: value". */
function describeError(error: Enable3Error, line: number): Record<string, unknown> {
  const { name, code, message, status, attempts } = error.toJSON() as Record<string, unknown>;
  let field: string | undefined;
  let text = message;
  if (error instanceof Enable3ValidationError) {
    // the SDK's path starts with the batch and the item's index: what is left names the field in the record
    field = formatFieldPath(error.fieldPath.slice(2)) || undefined;
    text = `line ${line}: ${field ?? "record"} ${error.problem}`;
  }
  return Object.fromEntries(
    Object.entries({ name, code, message: text, status, field, attempts }).filter(([, v]) => v !== undefined && v !== ""),
  );
}

/** A whole-number flag within a range, named as typed. */
function wholeNumber(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  const n = number(value, flag);
  if (n !== undefined && (!Number.isInteger(n) || n < min || n > max))
    throw new UsageError(`--${flag} must be a whole number from ${min} to ${fmt(max)}, got ${value}`);
  return n;
}

// `enable3 import events|revenue <file.ndjson>`: streams the file through the bulk API and writes every
// record that failed, with its error, to a dead-letter NDJSON file the same command can replay.
import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { access } from "node:fs/promises";
import { createInterface } from "node:readline";
import { once } from "node:events";
import type { BulkOutcome, Enable3Error } from "../index.js";
import { number, parse, positional, noMorePositionals, UsageError } from "./args.js";
import { clientFrom } from "./config.js";
import { createOutput, EXIT } from "./output.js";
import { createProgressReporter } from "./progress.js";

export const importUsage = "enable3 import events|revenue <file.ndjson> [--concurrency N] [--dead-letter FILE] [--quiet]";

/** A dead-letter line: the record (or the raw line that was not JSON), where it came from, and why. */
interface DeadLetter {
  line: number;
  record?: unknown;
  raw?: string;
  error: Record<string, unknown>;
}

export async function runImport(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    concurrency: { type: "string" }, "dead-letter": { type: "string" }, quiet: { type: "boolean", default: false },
  });
  const kind = positional(positionals, 0, "events|revenue");
  if (kind !== "events" && kind !== "revenue") throw new UsageError(`import takes events or revenue, got "${kind}"`);
  const file = positional(positionals, 1, "file.ndjson");
  noMorePositionals(positionals, 2);
  await access(file).catch(() => {
    throw new UsageError(`cannot read ${file}`);
  });
  const client = clientFrom(values);
  const out = createOutput(values.json);
  const deadLetterPath = values["dead-letter"] ?? `${file.replace(/\.ndjson$/, "")}.failed.ndjson`;
  let deadLetters: WriteStream | undefined;
  const counts = { invalidLines: 0, blankLines: 0, deadLetters: 0 };
  const writeDeadLetter = (entry: DeadLetter) => {
    deadLetters ??= createWriteStream(deadLetterPath);
    counts.deadLetters++;
    deadLetters.write(`${JSON.stringify(entry)}\n`);
  };

  // bulk index -> line number, for items in flight only: memory stays flat however long the file
  const lineOf = new Map<number, number>();
  async function* records() {
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    let lineNumber = 0;
    let index = 0;
    for await (const line of lines) {
      lineNumber++;
      if (line.trim() === "") {
        counts.blankLines++;
        continue;
      }
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        counts.invalidLines++;
        if (!values.json) process.stderr.write(`line ${lineNumber}: not valid JSON\n`);
        writeDeadLetter({ line: lineNumber, raw: line, error: { name: "InvalidLine", message: "not valid JSON" } });
        continue;
      }
      lineOf.set(index++, lineNumber);
      yield replayable(record);
    }
  }

  const controller = new AbortController();
  const onSigint = () => (controller.signal.aborted ? process.exit(130) : controller.abort());
  process.on("SIGINT", onSigint);
  const progress = values.quiet || values.json ? undefined : createProgressReporter({ stream: process.stderr, total: process.stderr.isTTY ? await countLines(file) : undefined });
  const onSettled = (outcome: BulkOutcome<unknown>) => {
    const line = lineOf.get(outcome.index)!;
    lineOf.delete(outcome.index);
    if (outcome.error) writeDeadLetter({ line, record: outcome.item, error: describeError(outcome.error) });
  };
  const bulkOptions = {
    concurrency: number(values.concurrency, "concurrency"), signal: controller.signal, collectDelivered: false,
    onProgress: progress?.update, onSettled,
  };
  try {
    const report = kind === "events"
      ? await client.sendEvents(records() as AsyncIterable<never>, bulkOptions)
      : await client.sendRevenues(records() as AsyncIterable<never>, bulkOptions);
    progress?.done();
    if (report.sourceError) throw report.sourceError;
    if (deadLetters) {
      deadLetters.end();
      await once(deadLetters, "close");
    }
    const summary = {
      file, kind, delivered: report.deliveredCount, failed: report.failed.length, invalidLines: counts.invalidLines,
      blankLines: counts.blankLines, aborted: report.aborted, deadLetterFile: counts.deadLetters ? deadLetterPath : null,
    };
    const human = [
      `${report.aborted ? "Stopped" : "Done"}: ${summary.delivered} delivered, ${summary.failed} failed, ${summary.invalidLines} invalid lines` +
        (summary.blankLines ? `, ${summary.blankLines} blank lines skipped` : ""),
      counts.deadLetters ? `Dead letters (${counts.deadLetters}): ${deadLetterPath}  (replay: enable3 import ${kind} ${deadLetterPath})` : "",
    ].filter(Boolean).join("\n");
    out.result(summary, human);
    return counts.deadLetters ? EXIT.failure : EXIT.ok;
  } finally {
    progress?.done();
    process.off("SIGINT", onSigint);
    if (deadLetters && !deadLetters.writableEnded) deadLetters.end(); // on an error, keep what was written
  }
}

/** A line of a dead-letter file carries the original record: replaying sends that record again. */
function replayable(record: unknown): unknown {
  if (record && typeof record === "object" && "error" in record && "line" in record) {
    if ("record" in record) return record.record;
    if ("raw" in record && typeof record.raw === "string") {
      try {
        return JSON.parse(record.raw);
      } catch {
        return record; // still not JSON: fails validation again and goes back to the dead letters
      }
    }
  }
  return record;
}

function describeError(error: Enable3Error): Record<string, unknown> {
  const { name, message, status, field, attempts } = error.toJSON() as Record<string, unknown>;
  return Object.fromEntries(Object.entries({ name, message, status, field, attempts }).filter(([, v]) => v !== undefined));
}

async function countLines(file: string): Promise<number> {
  let count = 0;
  let last = 10;
  for await (const chunk of createReadStream(file)) {
    for (const byte of chunk as Buffer) if (byte === 10) count++;
    last = (chunk as Buffer).at(-1) ?? last;
  }
  return last === 10 ? count : count + 1;
}

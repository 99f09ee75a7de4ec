// The import command's arguments, checked before anything is opened or sent: the kind, the input and
// the flags, with the client they configure.
import { statSync } from "node:fs";
import path from "node:path";
import type { Enable3Client } from "../index.js";
import { noMorePositionals, parse, positional, UsageError, wholeNumber } from "./args.js";
import { clientFrom } from "./config.js";
import { countLines, isStdin } from "./ndjson.js";
import { fmt } from "./progress.js";

/** What an import can send: each kind's records are taken by its own step (import.ts names them). */
export const IMPORT_KINDS = ["events", "revenue", "segments"] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export interface ImportOptions {
  kind: ImportKind;
  /** The input, as typed. */
  file: string;
  /** Lines in the file (for the progress bar's percentage); unknown for a pipe, which is read once. */
  total: number | undefined;
  concurrency: number | undefined;
  fromLine: number | undefined;
  fresh: boolean;
  json: boolean;
  quiet: boolean;
  deadLetterFile: string;
  /** The state's directory, when --state names it (else beside the dead-letter file). */
  stateDir: string | undefined;
  client: Enable3Client;
}

export async function importOptions(args: string[]): Promise<ImportOptions> {
  const { values, positionals } = parse(args, {
    concurrency: { type: "string" },
    "dead-letter": { type: "string" },
    "from-line": { type: "string" },
    fresh: { type: "boolean", default: false },
    quiet: { type: "boolean", default: false },
    state: { type: "string" },
  });
  const kind = positional(positionals, 0, IMPORT_KINDS.join("|")) as ImportKind;
  if (!IMPORT_KINDS.includes(kind))
    throw new UsageError(`import takes ${IMPORT_KINDS.slice(0, -1).join(", ")} or ${IMPORT_KINDS.at(-1)}, got "${kind}"`);
  const file = positional(positionals, 1, "file.ndjson");
  noMorePositionals(positionals, 2);
  const concurrency = wholeNumber(values.concurrency, "concurrency", 1, 1024);
  const fromLine = wholeNumber(values["from-line"], "from-line", 1, Number.MAX_SAFE_INTEGER);
  // a pipe, stdin or a FIFO is read once, as it comes: never counted first (that would consume it)
  const stream = isStdin(file) || statSync(file, { throwIfNoEntry: false })?.isFile() === false;
  const total = stream
    ? undefined
    : await countLines(file).catch(() => {
        throw new UsageError(`cannot read ${file}`);
      });
  if (fromLine !== undefined && total !== undefined && fromLine > total)
    throw new UsageError(`--from-line ${fmt(fromLine)} is past the end of ${file} (${fmt(total)} lines)`);
  // beside the input, unless it is a device or a pipe: then in the working directory
  const base = stream ? path.resolve(streamName(file)) : file;
  return {
    kind,
    file,
    total,
    concurrency,
    fromLine,
    fresh: values.fresh,
    json: values.json,
    quiet: values.quiet,
    deadLetterFile: values["dead-letter"] ?? `${base.replace(/\.ndjson$/, "")}.failed.ndjson`,
    stateDir: values.state,
    client: clientFrom(values),
  };
}

/** What a pipe's dead letters and state are named after: `stdin`, or the FIFO's name. */
function streamName(file: string): string {
  return isStdin(file) ? "stdin" : path.basename(file);
}

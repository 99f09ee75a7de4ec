// The dead-letter file of an import: checked and opened before the first request, written
// synchronously (memory stays flat, and nothing is pending when the process must exit), and, if a
// write fails mid-run, continued on stderr so no line is ever lost.
import { closeSync, fstatSync, openSync, realpathSync, statSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";
import { UsageError } from "./args.js";
import type { DeadLetter } from "./ndjson.js";

export interface DeadLetterFile {
  readonly path: string;
  /** Dead letters written so far (to the file or, after a write failure, to stderr). */
  readonly count: number;
  /** Set once a write failed: later dead letters go to stderr. */
  readonly writeError: Error | undefined;
  write(entry: DeadLetter): void;
  /** Closes the file; removes it when it holds nothing. */
  close(): void;
}

export function openDeadLetterFile(file: string, input: string, onWriteError: (error: Error) => void): DeadLetterFile {
  if (samePath(file, input)) throw new UsageError(`--dead-letter ${file} is the input file: it would be overwritten while it is read`);
  let fd: number;
  try {
    const existing = statSync(file, { throwIfNoEntry: false });
    if (existing && !existing.isFile()) throw Object.assign(new Error("not a regular file"), { code: "ENOTREG" });
    fd = openSync(file, "w");
    if (!fstatSync(fd).isFile()) throw Object.assign(new Error("not a regular file"), { code: "ENOTREG" });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UsageError(`cannot write the dead-letter file ${file} (${code}): choose another with --dead-letter FILE`);
  }
  let count = 0;
  let writeError: Error | undefined;
  let open = true;
  return {
    path: file,
    get count() {
      return count;
    },
    get writeError() {
      return writeError;
    },
    write(entry) {
      count++;
      const text = `${JSON.stringify(entry)}\n`;
      if (!writeError) {
        try {
          writeSync(fd, text);
          return;
        } catch (error) {
          writeError = error as Error;
          onWriteError(writeError);
        }
      }
      process.stderr.write(`dead letter (not written to ${file}): ${text}`);
    },
    close() {
      if (!open) return;
      open = false;
      closeSync(fd);
      if (count === 0 && !writeError) unlinkSync(file);
    },
  };
}

function samePath(a: string, b: string): boolean {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  return real(a) === real(b);
}

// The dead-letter file of an import: checked and opened before the first request, written
// synchronously (memory stays flat, and nothing is pending when the process must exit), and, if a
// write fails mid-run, continued on stderr so no line is ever lost. A file an earlier run wrote is
// only ever appended to: resuming, or running the same command again, never destroys dead letters.
import { closeSync, constants, fstatSync, lstatSync, openSync, type Stats, statSync, unlinkSync, writeSync } from "node:fs";
import { UsageError } from "./args.js";
import type { DeadLetter } from "./ndjson.js";

export interface DeadLetterFile {
  readonly path: string;
  /** Dead letters written by this run (to the file or, after a write failure, to stderr). */
  readonly count: number;
  /** True when the file already held dead letters of an earlier run (this run appends after them). */
  readonly heldEarlier: boolean;
  /** Set once a write failed: later dead letters go to stderr. */
  readonly writeError: Error | undefined;
  write(entry: DeadLetter): void;
  /** Closes the file; removes it only when this run created it and wrote nothing. */
  close(): void;
}

const { O_WRONLY, O_CREAT, O_EXCL, O_APPEND, O_NOFOLLOW } = constants;

export function openDeadLetterFile(file: string, input: string, onWriteError: (error: Error) => void): DeadLetterFile {
  const refuse = (why: string) =>
    new UsageError(`cannot write the dead-letter file ${file} (${why}): choose another with --dead-letter FILE`);
  const existing = lstatSync(file, { throwIfNoEntry: false });
  if (existing?.isSymbolicLink()) throw refuse("it is a symbolic link");
  if (existing && !existing.isFile()) throw refuse("not a regular file");
  const inputStat = statSync(input, { throwIfNoEntry: false });
  if (existing && inputStat && sameFile(existing, inputStat)) {
    throw new UsageError(`--dead-letter ${file} is the input file: it would be overwritten while it is read`);
  }
  let fd: number;
  let created = false;
  try {
    // O_EXCL tells a file this run makes from one an earlier run left; neither open truncates, and
    // O_NOFOLLOW refuses a symbolic link put in place between the check above and the open
    try {
      fd = openSync(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
      created = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      fd = openSync(file, O_WRONLY | O_APPEND | O_NOFOLLOW);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw refuse(code === "ELOOP" ? "it is a symbolic link" : (code ?? (error as Error).message));
  }
  const opened = fstatSync(fd);
  if (!opened.isFile() || (inputStat && sameFile(opened, inputStat))) {
    closeSync(fd);
    if (!opened.isFile()) throw refuse("not a regular file");
    throw new UsageError(`--dead-letter ${file} is the input file: it would be overwritten while it is read`);
  }
  const heldEarlier = !created && opened.size > 0;
  let count = 0;
  let writeError: Error | undefined;
  let open = true;
  return {
    path: file,
    heldEarlier,
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
      if (created && count === 0 && !writeError) unlinkSync(file);
    },
  };
}

/** The same file by device and inode: a hard link or another spelling of the path is caught too. */
function sameFile(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

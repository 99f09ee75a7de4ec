// The dead-letter file of an import: checked and opened before the first request, written
// synchronously and whole (a short write is continued; a failed one is cut back off, so the file never
// holds half a record), synced in groups (one fdatasync for every dead letter written in the same turn
// of the event loop) before the import's state moves past a line. A file an earlier run
// wrote is only ever appended to: resuming, or running the same command again, never destroys them.
import {
  closeSync,
  constants,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  lstatSync,
  openSync,
  readSync,
  type Stats,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { UsageError } from "./args.js";
import type { DeadLetter } from "./ndjson.js";

export interface DeadLetterFile {
  readonly path: string;
  /** Dead letters written by this run. */
  readonly count: number;
  /** True when the file already held dead letters of an earlier run (this run appends after them). */
  readonly heldEarlier: boolean;
  /** Its size when this run opened it. */
  readonly openedAt: number;
  /** Set once a write failed: nothing more is written. */
  readonly writeError: Error | undefined;
  /** Writes one dead letter whole; false when it could not be (nothing of it is left in the file). */
  write(entry: DeadLetter): boolean;
  /**
   * Resolves once every dead letter written so far is on disk: the dead letters written in the same
   * turn share one fdatasync, run in the next. Rejects when that failed (and `onWriteError` is told).
   */
  durable(): Promise<void>;
  /**
   * True when this run, or an earlier run of the same import (read once, by `remember`), wrote the dead
   * letter of this line of its input (`at`, not `line`: a merged dead-letter file repeats line numbers).
   */
  has(at: number): boolean;
  /** Reads the lines of the dead letters written from byte `from` on (by earlier runs of the same import). */
  remember(from: number): void;
  /** Closes the file; removes it only when this run created it and wrote nothing. */
  close(): void;
}

const { O_RDWR, O_CREAT, O_EXCL, O_APPEND, O_NOFOLLOW } = constants;

/**
 * Opens the dead-letter file for appending, after refusing a symbolic link, anything but a regular file
 * and the input itself (by device and inode: a hard link or another spelling of its path too).
 */
function openForAppend(file: string, input: string): { fd: number; created: boolean; opened: Stats } {
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
      fd = openSync(file, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
      created = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      fd = openSync(file, O_RDWR | O_APPEND | O_NOFOLLOW);
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
  return { fd, created, opened };
}

export function openDeadLetterFile(file: string, input: string, onWriteError: (error: Error) => void): DeadLetterFile {
  const { fd, created, opened } = openForAppend(file, input);
  const heldEarlier = !created && opened.size > 0;
  let size = opened.size;
  let count = 0;
  let writeError: Error | undefined;
  let dirty = false;
  let open = true;
  let group: Promise<void> | undefined;
  const sync = () => {
    if (!dirty || writeError || !open) return;
    try {
      fdatasyncSync(fd);
      dirty = false;
    } catch (error) {
      writeError = error as Error;
      onWriteError(writeError);
    }
  };
  const written = new Set<number>();
  return {
    path: file,
    heldEarlier,
    openedAt: opened.size,
    get count() {
      return count;
    },
    get writeError() {
      return writeError;
    },
    write(entry) {
      if (writeError) return false;
      const data = Buffer.from(`${JSON.stringify(entry)}\n`);
      try {
        for (let done = 0; done < data.length; ) done += writeSync(fd, data, done, data.length - done, null);
      } catch (error) {
        writeError = error as Error;
        try {
          ftruncateSync(fd, size); // no half record stays behind
        } catch {}
        onWriteError(writeError);
        return false;
      }
      size += data.length;
      count++;
      dirty = true;
      written.add(entry.at ?? entry.line);
      return true;
    },
    durable() {
      if (writeError) return Promise.reject(writeError);
      if (!dirty) return Promise.resolve();
      group ??= new Promise<void>((resolve, reject) =>
        setImmediate(() => {
          group = undefined;
          sync(); // covers every write made before it: writes are synchronous
          if (writeError) reject(writeError);
          else resolve();
        }),
      );
      return group;
    },
    has: (at) => written.has(at),
    remember(from) {
      for (const at of linesWritten(fd, from, size)) written.add(at);
    },
    close() {
      if (!open) return;
      sync();
      open = false;
      closeSync(fd);
      if (created && size === 0 && !writeError) unlinkSync(file);
    },
  };
}

/** The input lines (`at`, else `line`) of the dead letters in the file from byte `from` to `to`. */
function linesWritten(fd: number, from: number, to: number): number[] {
  const buffer = Buffer.alloc(Math.max(0, to - from));
  for (let done = 0; done < buffer.length; ) {
    const n = readSync(fd, buffer, done, buffer.length - done, from + done);
    if (n === 0) break;
    done += n;
  }
  const lines: number[] = [];
  for (const text of buffer.toString("utf8").split("\n")) {
    try {
      const { line, at } = JSON.parse(text) as DeadLetter;
      if (Number.isInteger(at ?? line)) lines.push((at ?? line) as number);
    } catch {}
  }
  return lines;
}

/** The same file by device and inode: a hard link or another spelling of the path is caught too. */
function sameFile(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

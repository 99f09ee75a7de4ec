// What an import keeps beside its dead-letter file, so that running the same command again resumes:
// `<name>.import/` holds the outbox journal (the lines read and not yet delivered), import.json (which
// input, which kind, the key its ids derive from, written once and synced) and progress.json (the last
// line fully accounted for). A line without an id is sent as a UUID derived from that key and its line
// number: whatever is lost to a crash, a line is never sent under a second id.
import { createHash, randomUUID } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { crc32 } from "node:zlib";
import { UsageError } from "./args.js";
import { isStdin, type LinePlace } from "./ndjson.js";

const HEAD_BYTES = 64 * 1024;

export type SavedProgress = Partial<LinePlace> & { at: number };

interface Saved {
  version: 1;
  kind: string;
  /** A pipe has no head to check: its running checksum is checked as it is read again. */
  input: { path: string; dev?: number; ino?: number; headBytes?: number; headSha256?: string };
  key: string;
  fromLine: number;
  deadLetterFrom: number;
  startedAt: string;
  completedAt?: string;
}

export interface ImportState {
  dir: string;
  /** True when an earlier run of this import left its state. */
  resumed: boolean;
  /** When an earlier run finished the whole file. */
  completedAt: string | undefined;
  fromLine: number;
  /** Where this import's dead letters begin in the dead-letter file. */
  deadLetterFrom: number;
  /**
   * The last line fully accounted for (delivered, in the journal, a dead letter or blank), where it
   * ends and the running checksum of the file up to it (no `sum` in a state saved by an older version).
   */
  progress: SavedProgress;
  saveProgress(place: LinePlace): void;
  complete(): void;
  /** The id a line without one is sent with. */
  idFor(at: number): string;
}

/** `events.failed.ndjson` → `events.import`, `out.ndjson` → `out.import`, beside the dead-letter file. */
export function stateDirFor(deadLetterFile: string): string {
  return `${deadLetterFile.replace(/\.ndjson$/, "").replace(/\.failed$/, "")}.import`;
}

export function openImportState(o: {
  dir: string;
  input: string;
  kind: string;
  fromLine: number | undefined;
  deadLetterSize: number;
}): ImportState {
  const file = path.join(o.dir, "import.json");
  const identity = identify(o.input);
  let saved = read<Saved>(file);
  const resumed = saved !== undefined;
  if (saved) {
    // by content, not inode: an editor that saves lines appended to the file writes a new one
    const head = saved.input;
    const changed = identity !== undefined && head.headSha256 !== undefined && headSha256(o.input, head.headBytes ?? 0) !== head.headSha256;
    const fresh = `rerun with --fresh to start over (lines without an id then get new ids), or delete ${o.dir}`;
    if (saved.kind !== o.kind) throw new UsageError(`${o.dir} holds an import of ${saved.kind}, not ${o.kind}: ${fresh}`);
    if (changed)
      throw new UsageError(`${o.input} is not the file the import saved in ${o.dir} began with (it was replaced or changed): ${fresh}`);
    if (o.fromLine !== undefined && !saved.completedAt)
      throw new UsageError(
        `an interrupted import of ${o.input} is saved in ${o.dir}: rerun without --from-line to resume it, or add --fresh to start over at line ${o.fromLine}`,
      );
    if (o.fromLine !== undefined)
      throw new UsageError(
        `${o.input} was imported completely on ${saved.completedAt}: add --fresh to import it again from line ${o.fromLine}`,
      );
  } else {
    mkdirSync(o.dir, { recursive: true, mode: 0o700 });
    saved = {
      version: 1,
      kind: o.kind,
      input: { path: o.input === "-" ? "-" : path.resolve(o.input), ...identity },
      key: randomUUID(),
      fromLine: o.fromLine ?? 1,
      deadLetterFrom: o.deadLetterSize,
      startedAt: new Date().toISOString(),
    };
    writeDurably(file, saved);
  }
  const state = saved;
  const progress = read<SavedProgress>(path.join(o.dir, "progress.json")) ?? { at: 0 };
  return {
    dir: o.dir,
    resumed,
    completedAt: state.completedAt,
    fromLine: state.fromLine,
    deadLetterFrom: state.deadLetterFrom,
    progress,
    saveProgress({ at, end, next, sum }) {
      // after each group commit of the journal; no fsync: a kill loses nothing, a power loss at most
      // the last moments, whose lines are then journaled again under the same derived ids
      const target = path.join(o.dir, "progress.json");
      writeFileSync(`${target}.tmp`, JSON.stringify({ at, end, next, sum }), { mode: 0o600 });
      renameSync(`${target}.tmp`, target);
    },
    complete() {
      writeDurably(file, { ...state, completedAt: new Date().toISOString() });
    },
    idFor(at) {
      const hex = createHash("sha256").update(`${state.key}:${at}`).digest("hex");
      // an RFC 9562 version-8 (custom) UUID
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((Number.parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
    },
  };
}

/**
 * True when the saved progress is the end of the file and the file is unchanged up to it: a finished
 * import with nothing appended since. A file that grew (or changed) is read again from the start.
 */
export function nothingNew(input: string, progress: SavedProgress): boolean {
  const { end, next, sum } = progress;
  const s = statSync(input, { throwIfNoEntry: false });
  if (!s?.isFile() || end === undefined || sum === undefined || s.size !== next) return false;
  const fd = openSync(input, "r");
  try {
    const buffer = Buffer.alloc(Math.min(1024 * 1024, Math.max(1, end)));
    let running = 0;
    for (let done = 0; done < end; ) {
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, end - done), done);
      if (n === 0) return false;
      running = crc32(buffer.subarray(0, n), running);
      done += n;
    }
    return running === sum;
  } finally {
    closeSync(fd);
  }
}

/** Removes an import's state (for --fresh). */
export function removeImportState(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A regular file's device, inode and first bytes' checksum; nothing for a pipe (reading it would consume it). */
function identify(input: string) {
  const s = isStdin(input) ? undefined : statSync(input);
  if (!s?.isFile()) return undefined;
  const headBytes = Math.min(HEAD_BYTES, s.size);
  return { dev: s.dev, ino: s.ino, headBytes, headSha256: headSha256(input, headBytes) };
}

function headSha256(input: string, bytes: number): string {
  const fd = openSync(input, "r");
  try {
    const buffer = Buffer.alloc(bytes);
    let done = 0;
    while (done < bytes) {
      const n = readSync(fd, buffer, done, bytes - done, done);
      if (n === 0) break;
      done += n;
    }
    return createHash("sha256").update(buffer.subarray(0, done)).digest("hex");
  } finally {
    closeSync(fd);
  }
}

function read<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

/** Written whole or not at all, and synced: a new file, fsynced, renamed over the old one, the directory fsynced. */
function writeDurably(file: string, value: unknown): void {
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, JSON.stringify(value), { mode: 0o600 });
  const fd = openSync(temporary, "r+");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
  const dir = openSync(path.dirname(file), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

// dead.log: the records a fileStore gave up on, one framed JSON line each, appended and synced before
// the record is marked settled in its segment. A replay writes the records back into the journal a
// batch at a time, each batch then named in a `replayed` line (so a replay cut short leaves each
// record either re-queued or dead, never both), and finally rewrites this file without them (a new
// file, synced, renamed over the old one). A damaged line is reported, kept as it is, never erased.
import { type FileHandle, open, rename, unlink } from "node:fs/promises";
import path from "node:path";
import type { DeadRecord, OutboxKind } from "../contract.js";
import { lineChunks, openEmptied, openExisting, openOrCreate, syncDirectory, writeAll, writeSynced } from "./files.js";
import { frame, salvageIds, unframe } from "./lines.js";

/** A dead record and where its record was in the journal (to settle it there, should that mark be lost). */
export interface DeadEntry extends DeadRecord {
  segment: number;
  index: number;
  /** The record's ordering key, kept so that a replay queues it behind its key's later records. */
  orderingKey?: string | undefined;
  /** The enqueuing span's traceparent, kept so that the call after a replay still links to it. */
  traceparent?: string | undefined;
}

interface Stored {
  k: OutboxKind;
  id: string;
  b: DeadRecord["body"];
  t: number;
  a: number;
  e: DeadRecord["error"];
  c?: DeadRecord["context"];
  s: number;
  i: number;
  /** When it died; absent in entries written before it was kept (they count as dying when enqueued). */
  d?: number;
  o?: string;
  p?: string;
}

const encode = (e: DeadEntry) =>
  frame(
    JSON.stringify({
      k: e.kind,
      id: e.id,
      b: e.body,
      t: e.enqueuedAt,
      a: e.attempts,
      e: e.error,
      ...(e.context === undefined ? {} : { c: e.context }),
      s: e.segment,
      i: e.index,
      d: e.diedAt,
      ...(e.orderingKey === undefined ? {} : { o: e.orderingKey }),
      ...(e.traceparent === undefined ? {} : { p: e.traceparent }),
    } satisfies Stored),
  );

/** What names a dead entry in a `replayed` line: where its record was, and its id. */
export const keyOf = (e: DeadEntry) => `${e.segment}:${e.index}:${e.id}`;
const replayedLine = (keys: string[]) => frame(JSON.stringify({ replayed: keys }));

export type Line = { entry: DeadEntry } | { replayed: string[] } | { damaged: true };

function decode(line: Buffer): Line {
  const payload = unframe(line);
  if (payload === undefined) return { damaged: true };
  const v = JSON.parse(payload) as Stored | { replayed: string[] };
  if ("replayed" in v) return Array.isArray(v.replayed) ? { replayed: v.replayed } : { damaged: true };
  if (typeof v.id !== "string") return { damaged: true };
  return {
    entry: {
      kind: v.k,
      id: v.id,
      body: v.b,
      enqueuedAt: v.t,
      diedAt: typeof v.d === "number" ? v.d : v.t,
      attempts: v.a,
      error: v.e,
      ...(v.c === undefined ? {} : { context: v.c }),
      segment: v.s,
      index: v.i,
      ...(typeof v.o === "string" ? { orderingKey: v.o } : {}),
      ...(typeof v.p === "string" ? { traceparent: v.p } : {}),
    },
  };
}

export class DeadLog {
  /** Dead records listed (damaged lines and records re-queued by a replay excluded). */
  count = 0;
  private bytes = 0;
  private writing: Promise<unknown> = Promise.resolve();
  /** Entries a replay re-queued that are still in the file (its rewrite failed, or is to come). */
  private replayed = new Set<string>();
  private constructor(
    private readonly file: string,
    private handle: FileHandle,
  ) {}

  /**
   * Opens (or creates) dir/dead.log, handing each entry to `each`; a torn last line (no newline) is
   * cut off, damaged lines are reported (how many, the ids that can be read) and kept.
   */
  static async open(dir: string, each: (entry: DeadEntry) => void, onDamage: (message: string) => void): Promise<DeadLog> {
    const file = path.join(dir, "dead.log");
    const handle = await openOrCreate(file);
    const log = new DeadLog(file, handle);
    let end = 0;
    let entries = 0;
    const damaged: Buffer[] = [];
    await scan(handle, Number.POSITIVE_INFINITY, (line, bytes, lineEnd) => {
      end = lineEnd;
      if ("entry" in line) {
        entries++;
        each(line.entry);
      } else if ("replayed" in line) for (const key of line.replayed) log.replayed.add(key);
      else damaged.push(Buffer.from(bytes));
    });
    log.count = entries - log.replayed.size;
    if (damaged.length > 0) onDamage(damageMessage(file, damaged));
    const size = (await handle.stat()).size;
    if (size > end) {
      onDamage(`${file}: ${size - end} bytes after the last whole dead record (a write cut short by a crash) were dropped`);
      await handle.truncate(end);
      await handle.datasync();
    }
    log.bytes = end;
    return log;
  }

  /** Appends entries, synced before it resolves. */
  append(entries: DeadEntry[]): Promise<void> {
    const data = Buffer.concat(entries.map(encode));
    const done = this.writing.then(async () => {
      await this.write(data);
      this.count += entries.length;
    });
    this.writing = done.catch(() => {});
    return done;
  }

  /** Every dead record listed, read from the file as it is (streamed). */
  async *entries(): AsyncGenerator<DeadEntry> {
    const batch: DeadEntry[] = [];
    const reader = await open(this.file, "r");
    try {
      for await (const lines of chunks(reader, this.bytes)) {
        for (const { line } of lines) if ("entry" in line && !this.replayed.has(keyOf(line.entry))) batch.push(line.entry);
        yield* batch.splice(0);
      }
    } finally {
      await reader.close();
    }
  }

  /**
   * Takes the entries `select` picks: hands them to `each` in batches (which must store them
   * elsewhere first), each batch then named in a `replayed` line, and rewrites the file without them
   * (damaged lines kept as they are). Nothing is appended meanwhile. Resolves to how many were taken;
   * cut short by a failure, what was taken stays taken and the rest stays dead.
   */
  take(select: (entry: DeadEntry) => boolean, each: (entries: DeadEntry[]) => Promise<void>): Promise<number> {
    const done = this.writing.then(async () => {
      const temporary = `${this.file}.${process.pid}.tmp`;
      const out = await openEmptied(temporary);
      let bytes = 0;
      let kept = 0;
      let count = 0;
      let taken: DeadEntry[] = [];
      const requeue = async () => {
        await each(taken);
        const keys = taken.map(keyOf);
        for (const key of keys) this.replayed.add(key);
        this.count -= taken.length;
        count += taken.length;
        taken = [];
        // best effort: should this fail too, the rewrite below (or the next replay's) drops them
        await this.write(replayedLine(keys)).catch(() => {});
      };
      try {
        const reader = await open(this.file, "r");
        try {
          for await (const lines of chunks(reader, this.bytes)) {
            for (const { line, bytes: raw } of lines) {
              if ("replayed" in line || ("entry" in line && this.replayed.has(keyOf(line.entry)))) continue;
              if ("entry" in line && select(line.entry)) {
                taken.push(line.entry);
                if (taken.length >= 500) await requeue();
                continue;
              }
              const copy = Buffer.concat([raw, Buffer.from("\n")]); // a damaged line is kept as it is
              await writeAll(out, copy, bytes);
              bytes += copy.length;
              if ("entry" in line) kept++;
            }
          }
        } finally {
          await reader.close();
        }
        if (taken.length > 0) await requeue();
        await out.datasync();
      } catch (error) {
        await out.close();
        await unlink(temporary).catch(() => {});
        throw error;
      }
      await out.close();
      await rename(temporary, this.file);
      await syncDirectory(path.dirname(this.file));
      await this.handle.close();
      this.handle = await openExisting(this.file);
      this.bytes = bytes;
      this.count = kept;
      this.replayed.clear();
      return count;
    });
    this.writing = done.catch(() => {});
    return done;
  }

  async close(): Promise<void> {
    await this.writing;
    await this.handle.close();
  }

  private async write(data: Buffer): Promise<void> {
    try {
      await writeSynced(this.handle, data, this.bytes);
    } catch (error) {
      await this.handle.truncate(this.bytes).catch(() => {});
      throw error;
    }
    this.bytes += data.length;
  }
}

/** The lines of a file up to `end`, a chunk at a time: each decoded, with its bytes and where it ends. */
export async function* chunks(handle: FileHandle, end: number): AsyncGenerator<{ line: Line; bytes: Buffer; end: number }[]> {
  for await (const lines of lineChunks(handle, end)) {
    yield lines.map(({ bytes, offset }) => ({ line: safeDecode(bytes), bytes: Buffer.from(bytes), end: offset + bytes.length + 1 }));
  }
}

async function scan(handle: FileHandle, end: number, each: (line: Line, bytes: Buffer, end: number) => void): Promise<void> {
  for await (const lines of chunks(handle, end)) for (const l of lines) each(l.line, l.bytes, l.end);
}

function damageMessage(file: string, damaged: Buffer[]): string {
  const ids = damaged.flatMap((bytes) => salvageIds(bytes)).map((id) => JSON.stringify(id));
  const named =
    ids.length > 0 ? `ids ${ids.slice(0, 20).join(", ")}${ids.length > 20 ? ` and ${ids.length - 20} more` : ""}` : "no id could be read";
  return `${file}: ${damaged.length} dead record${damaged.length === 1 ? " is" : "s are"} damaged (checksum wrong): not listed nor replayed, kept in the file as they are (${named})`;
}

function safeDecode(line: Buffer): Line {
  try {
    return decode(line);
  } catch {
    return { damaged: true };
  }
}

// dead.log: the records a fileStore gave up on, one framed JSON line each, appended and synced before
// the record is marked settled in its segment. A replay writes the records back into the journal
// first, then rewrites this file without them (a new file, synced, renamed over the old one).
import { constants } from "node:fs";
import { type FileHandle, open, rename, unlink } from "node:fs/promises";
import path from "node:path";
import type { DeadRecord, OutboxKind } from "../contract.js";
import { FILE_MODE, syncDirectory, writeAll } from "./files.js";
import { createLineSplitter, frame, unframe } from "./lines.js";

/** A dead record and where its record was in the journal (to settle it there, should that mark be lost). */
export interface DeadEntry extends DeadRecord {
  segment: number;
  index: number;
}

interface Stored {
  k: OutboxKind;
  id: string;
  b: Record<string, unknown>;
  t: number;
  a: number;
  e: DeadRecord["error"];
  c?: DeadRecord["context"];
  s: number;
  i: number;
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
    } satisfies Stored),
  );

function decode(line: Buffer): DeadEntry | undefined {
  const payload = unframe(line);
  if (payload === undefined) return undefined;
  const v = JSON.parse(payload) as Stored;
  return {
    kind: v.k,
    id: v.id,
    body: v.b,
    enqueuedAt: v.t,
    attempts: v.a,
    error: v.e,
    ...(v.c === undefined ? {} : { context: v.c }),
    segment: v.s,
    index: v.i,
  };
}

export class DeadLog {
  count = 0;
  private bytes = 0;
  private writing: Promise<unknown> = Promise.resolve();
  private constructor(
    private readonly file: string,
    private handle: FileHandle,
  ) {}

  /** Opens (or creates) dir/dead.log, handing each entry to `each`; a torn last line is cut off. */
  static async open(dir: string, each: (entry: DeadEntry) => void, onDamage: (message: string) => void): Promise<DeadLog> {
    const file = path.join(dir, "dead.log");
    const handle = await open(file, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, FILE_MODE);
    const log = new DeadLog(file, handle);
    let good = 0;
    await log.scan((entry, end) => {
      log.count++;
      good = end;
      each(entry);
    });
    const size = (await handle.stat()).size;
    if (size > good) {
      onDamage(`${file}: ${size - good} bytes after the last whole dead record were dropped`);
      await handle.truncate(good);
      await handle.datasync();
    }
    log.bytes = good;
    return log;
  }

  /** Appends entries, synced before it resolves. */
  append(entries: DeadEntry[]): Promise<void> {
    const data = Buffer.concat(entries.map(encode));
    const done = this.writing.then(async () => {
      try {
        await writeAll(this.handle, data, this.bytes);
        await this.handle.datasync();
      } catch (error) {
        await this.handle.truncate(this.bytes).catch(() => {});
        throw error;
      }
      this.bytes += data.length;
      this.count += entries.length;
    });
    this.writing = done.catch(() => {});
    return done;
  }

  /** Every entry, read from the file as it is (streamed). */
  async *entries(): AsyncGenerator<DeadEntry> {
    const batch: DeadEntry[] = [];
    const reader = await open(this.file, "r");
    try {
      const end = this.bytes;
      const splitter = createLineSplitter();
      const buffer = Buffer.allocUnsafe(256 * 1024);
      for (let position = 0; position < end; ) {
        const { bytesRead } = await reader.read(buffer, 0, Math.min(buffer.length, end - position), position);
        if (bytesRead === 0) break;
        position += bytesRead;
        splitter.push(buffer.subarray(0, bytesRead), ({ bytes }) => {
          const entry = safeDecode(bytes);
          if (entry) batch.push(entry);
        });
        yield* batch.splice(0);
      }
    } finally {
      await reader.close();
    }
  }

  /**
   * Takes the entries `select` picks: hands them to `each` in batches (which must store them
   * elsewhere first), then rewrites the file without them (a new file, synced, renamed over this one).
   * Nothing is appended meanwhile. Resolves to how many were taken.
   */
  take(select: (entry: DeadEntry) => boolean, each: (entries: DeadEntry[]) => Promise<void>): Promise<number> {
    const done = this.writing.then(async () => {
      const temporary = `${this.file}.${process.pid}.tmp`;
      const out = await open(temporary, constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, FILE_MODE);
      let kept = 0;
      let bytes = 0;
      let taken: DeadEntry[] = [];
      let count = 0;
      try {
        for await (const entry of this.entries()) {
          if (select(entry)) {
            taken.push(entry);
            count++;
            if (taken.length >= 500) {
              await each(taken);
              taken = [];
            }
            continue;
          }
          const line = encode(entry);
          await writeAll(out, line, bytes);
          bytes += line.length;
          kept++;
        }
        if (taken.length > 0) await each(taken);
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
      this.handle = await open(this.file, constants.O_RDWR | constants.O_NOFOLLOW);
      this.bytes = bytes;
      this.count = kept;
      return count;
    });
    this.writing = done.catch(() => {});
    return done;
  }

  async close(): Promise<void> {
    await this.writing;
    await this.handle.close();
  }

  private async scan(each: (entry: DeadEntry, end: number) => void): Promise<void> {
    const splitter = createLineSplitter();
    const buffer = Buffer.allocUnsafe(256 * 1024);
    for (let position = 0; ; ) {
      const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      splitter.push(buffer.subarray(0, bytesRead), ({ bytes, offset }) => {
        const entry = safeDecode(bytes);
        if (entry) each(entry, offset + bytes.length + 1);
      });
      position += bytesRead;
    }
  }
}

function safeDecode(line: Buffer): DeadEntry | undefined {
  try {
    return decode(line);
  } catch {
    return undefined;
  }
}

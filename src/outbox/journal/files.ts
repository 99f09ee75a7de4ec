// File operations the journal needs beyond node:fs: whole writes (a short write is continued, never
// ignored) and synced ones, directory syncs (a new file survives a power loss), the four ways a
// journal file is opened (each for its owner only, never through a symbolic link), and a file read as
// its lines a chunk at a time.
import { constants } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { createLineSplitter, type ReadLine } from "./lines.js";

/** Files of a store: read and written by their owner only. */
export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

/** Writes all of `data` at `position`, continuing after short writes. */
export async function writeAll(handle: FileHandle, data: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
    if (bytesWritten <= 0) throw Object.assign(new Error("write made no progress"), { code: "EIO" });
    done += bytesWritten;
  }
}

/** Writes all of `data` at `position` and makes it durable (fdatasync) before it resolves. */
export async function writeSynced(handle: FileHandle, data: Buffer, position: number): Promise<void> {
  await writeAll(handle, data, position);
  await handle.datasync();
}

/** fsync of a directory: makes the creation, rename or removal of its entries durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Creates a file that must not exist yet, for its owner only, never through a symbolic link. */
export function createExclusive(path: string): Promise<FileHandle> {
  return open(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, FILE_MODE);
}

/** Opens a file for reading and writing, created for its owner only when missing, never through a symbolic link. */
export function openOrCreate(path: string): Promise<FileHandle> {
  return open(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, FILE_MODE);
}

/** Opens a file emptied (made for its owner only when missing), never through a symbolic link: a temporary to rename over another. */
export function openEmptied(path: string): Promise<FileHandle> {
  return open(path, constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, FILE_MODE);
}

/** Opens an existing file for reading and writing, never through a symbolic link. */
export function openExisting(path: string): Promise<FileHandle> {
  return open(path, constants.O_RDWR | constants.O_NOFOLLOW);
}

/** How much of a file is read at a time when it is read line by line. */
const READ_CHUNK = 256 * 1024;

/**
 * The whole lines of a file up to `end` (its end when omitted), a chunk at a time (memory holds a
 * chunk, never the file); bytes after the last newline are left out. A line's bytes are valid until
 * the next chunk is asked for: copy what must outlive it.
 */
export async function* lineChunks(handle: FileHandle, end = Number.POSITIVE_INFINITY): AsyncGenerator<ReadLine[]> {
  const splitter = createLineSplitter();
  const buffer = Buffer.allocUnsafe(READ_CHUNK);
  for (let position = 0; position < end; ) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, end - position), position);
    if (bytesRead === 0) return;
    position += bytesRead;
    const lines: ReadLine[] = [];
    splitter.push(buffer.subarray(0, bytesRead), (line) => lines.push(line));
    yield lines;
  }
}

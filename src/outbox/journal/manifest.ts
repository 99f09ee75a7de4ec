// The journal's manifest: which segments exist, and each sealed one's count, in framed lines
// (`+ N` made, `s N COUNT` sealed, `- N` compacted), so a segment whose files were deleted by hand is
// noticed at open and its records reported, not silently forgotten. Rewritten whole at open (a new
// file renamed over the old one); appended to while the store runs. A write that fails (a full disk)
// is kept and tried again with the next one: a missing line can only cause a false report, never a loss.
import { type FileHandle, readFile, rename, unlink } from "node:fs/promises";
import path from "node:path";
import { errnoCode } from "../errors.js";
import { openEmptied, openExisting, openOrCreate, syncDirectory, writeAll, writeSynced } from "./files.js";
import { createLineSplitter, frame, unframe } from "./lines.js";

/** Segments the manifest lists as existing: number, and count once sealed. */
export type ManifestEntries = Map<number, number | undefined>;

export async function readManifest(dir: string): Promise<ManifestEntries | undefined> {
  const text = await readFile(path.join(dir, "manifest")).catch((error) =>
    errnoCode(error) === "ENOENT" ? undefined : Promise.reject(error),
  );
  if (text === undefined) return undefined;
  const entries: ManifestEntries = new Map();
  createLineSplitter().push(text, ({ bytes }) => {
    const [type, a, b] = (unframe(bytes) ?? "").split(" ");
    const number = Number(a);
    if (type === "+") entries.set(number, undefined);
    else if (type === "s") entries.set(number, Number(b));
    else if (type === "-") entries.delete(number);
  });
  return entries;
}

export async function openManifest(dir: string, segments: { number: number; count: number }[]) {
  const file = path.join(dir, "manifest");
  let handle: FileHandle;
  let bytes = 0;
  try {
    const temporary = `${file}.tmp`;
    const data = Buffer.concat(segments.flatMap((s) => [frame(`+ ${s.number}`), frame(`s ${s.number} ${s.count}`)]));
    const out = await openEmptied(temporary);
    try {
      await writeSynced(out, data, 0);
    } finally {
      await out.close();
    }
    await rename(temporary, file);
    await syncDirectory(dir);
    bytes = data.length;
    handle = await openExisting(file);
  } catch {
    // no room for a new one (a full disk): append to the old one, cut back to its last whole line
    await unlink(`${file}.tmp`).catch(() => {});
    handle = await openOrCreate(file);
    const text = await handle.readFile();
    bytes = text.lastIndexOf(10) + 1;
  }
  let waiting: Buffer[] = [];
  let chain: Promise<void> = Promise.resolve();
  const write = (line: string, sync: boolean, keep: boolean): Promise<void> => {
    const framed = frame(line);
    waiting.push(framed);
    const done = chain.then(async () => {
      if (waiting.length === 0) return;
      const data = Buffer.concat(waiting);
      try {
        await writeAll(handle, data, bytes);
        if (sync) await handle.datasync();
      } catch (error) {
        if (!keep) waiting = waiting.filter((b) => b !== framed);
        await handle.truncate(bytes).catch(() => {});
        throw error;
      }
      waiting = [];
      bytes += data.length;
    });
    chain = done.catch(() => {});
    return done;
  };
  return {
    /** A new segment: durable before the segment's first record is (dropped when it fails: the segment is not made). */
    made: (number: number) => write(`+ ${number}`, true, false),
    /** Best effort: a lost count is a less precise report. */
    sealed: (number: number, count: number) => write(`s ${number} ${count}`, false, true).catch(() => {}),
    /** Before its files are deleted; a failure is kept and written with the next line. */
    removed: (number: number) => write(`- ${number}`, true, true).catch(() => {}),
    async close(): Promise<void> {
      await chain;
      await handle.close();
    },
  };
}

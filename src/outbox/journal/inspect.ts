// A fileStore read from outside, without its lock, while an outbox may be writing it: the journal is
// append-only (a segment's log and marks), dead.log is appended to or replaced whole by a rename, and
// status.json is renamed in whole, so a reader sees a consistent past state, at most moments old. A
// segment deleted while it is read was settled whole (compacted): it counts as nothing pending.
import { constants } from "node:fs";
import { type FileHandle, open, readdir } from "node:fs/promises";
import path from "node:path";
import {
  type DeadFilter,
  type DeadRecord,
  HELD_BACK_LISTED,
  type HeldBackKey,
  type InspectedCounts,
  type OutboxKind,
  type StoreInspector,
} from "../contract.js";
import { Enable3OutboxError, errnoCode } from "../errors.js";
import { chunks, type DeadEntry, keyOf } from "./dead-log.js";
import { lineChunks } from "./files.js";
import { recordNumber, unframe } from "./lines.js";
import { lockHolder } from "./lock.js";
import { KIND_OF, type RecordLine } from "./reader.js";
import { newSegment, readMarks, SEGMENT_NAME } from "./segments.js";
import { readStatusFile } from "./status-file.js";

const gone = (error: unknown) => (errnoCode(error) === "ENOENT" ? undefined : Promise.reject(error));

export function inspectFileStore(dir: string): StoreInspector {
  return {
    async counts(): Promise<InspectedCounts> {
      const names = await readdir(dir).catch((error) => {
        const code = errnoCode(error) ?? (error as Error).message;
        throw new Enable3OutboxError("open_failed", `cannot read the outbox directory ${dir} (${code})`, error);
      });
      const numbers = names.flatMap((n) => SEGMENT_NAME.exec(n)?.[1] ?? []).map(Number);
      const tally = newTally();
      for (const number of numbers.sort((a, b) => a - b)) await pendingIn(dir, number, tally);
      const { pending, oldest } = tally;
      let dead = 0;
      for await (const _ of deadEntries(dir)) dead++;
      const holder = await lockHolder(dir);
      const status = holder ? await readStatusFile(dir) : undefined;
      const workers = status && status.pid === holder?.pid ? [status] : [];
      const inFlight = Math.min(pending, workers[0]?.inFlight ?? 0);
      const oldestPendingMs = oldest === undefined ? 0 : Math.max(0, Date.now() - oldest);
      return { pending, inFlight, dead, oldestPendingMs, workers, pendingByKind: tally.byKind, heldBack: heldBackOf(tally.keys) };
    },
    dead(filter: DeadFilter): AsyncIterable<DeadRecord> {
      return {
        async *[Symbol.asyncIterator]() {
          for await (const entry of deadEntries(dir)) if (matches(entry, filter)) yield recordOf(entry);
        },
      };
    },
    async close() {},
  };
}

/** Whether a dead record passes `filter` (every condition given). */
export function matches(record: DeadRecord, filter: DeadFilter): boolean {
  if (filter.status !== undefined && record.error.status !== filter.status) return false;
  if (filter.diedBefore !== undefined && !(record.diedAt < filter.diedBefore)) return false;
  if (filter.diedAfter !== undefined && !(record.diedAt >= filter.diedAfter)) return false;
  if (filter.reason !== undefined) {
    const wanted = filter.reason.toLowerCase();
    if (!`${record.error.code} ${record.error.message}`.toLowerCase().includes(wanted)) return false;
  }
  return true;
}

function recordOf({ segment: _s, index: _i, ...record }: DeadEntry): DeadRecord {
  return record;
}

/** What the pending records of a journal add up to, segment after segment in journal order. */
interface Tally {
  pending: number;
  oldest: number | undefined;
  byKind: Partial<Record<OutboxKind, number>>;
  /** Each ordering key's pending records and when its first was enqueued. */
  keys: Map<string, { count: number; first: number }>;
}

const newTally = (): Tally => ({ pending: 0, oldest: undefined, byKind: {}, keys: new Map() });

/** Counts the pending records of one segment (records not marked settled) into `tally`. */
async function pendingIn(dir: string, number: number, tally: Tally): Promise<void> {
  const segment = newSegment(dir, number);
  const { settled } = await readMarks(segment);
  const done = new Set(settled);
  const handle = await open(segment.log, constants.O_RDONLY | constants.O_NOFOLLOW).catch(gone);
  if (!handle) return;
  try {
    const seen = new Set<number>();
    await eachLine(handle, (bytes) => {
      const n = recordNumber(bytes);
      if (n === undefined || n < 0 || done.has(n) || seen.has(n)) return;
      seen.add(n);
      tally.pending++;
      const line = JSON.parse(unframe(bytes) ?? "{}") as Partial<RecordLine>;
      tally.oldest ??= line.t;
      const kind = line.k === undefined ? undefined : KIND_OF[line.k];
      if (kind) tally.byKind[kind] = (tally.byKind[kind] ?? 0) + 1;
      if (typeof line.o !== "string") return;
      const key = tally.keys.get(line.o);
      if (key) key.count++;
      else tally.keys.set(line.o, { count: 1, first: line.t ?? Date.now() });
    });
  } finally {
    await handle.close();
  }
}

/** The keys with records behind their first pending one, pending longest first, at most HELD_BACK_LISTED. */
function heldBackOf(keys: Tally["keys"]): HeldBackKey[] {
  const now = Date.now();
  return [...keys]
    .filter(([, k]) => k.count > 1)
    .sort((a, b) => a[1].first - b[1].first)
    .slice(0, HELD_BACK_LISTED)
    .map(([key, k]) => ({ key, waiting: k.count - 1, pendingForMs: Math.max(0, now - k.first) }));
}

async function eachLine(handle: FileHandle, each: (bytes: Buffer) => void): Promise<void> {
  for await (const lines of lineChunks(handle)) for (const { bytes } of lines) each(bytes);
}

/** Every dead record of dir/dead.log as one open file holds it (those a replay re-queued left out), streamed. */
async function* deadEntries(dir: string): AsyncGenerator<DeadEntry> {
  const handle = await open(path.join(dir, "dead.log"), constants.O_RDONLY | constants.O_NOFOLLOW).catch(gone);
  if (!handle) return;
  try {
    const end = (await handle.stat()).size;
    const replayed = new Set<string>();
    for await (const lines of chunks(handle, end))
      for (const { line } of lines) if ("replayed" in line) for (const k of line.replayed) replayed.add(k);
    for await (const lines of chunks(handle, end))
      for (const { line } of lines) if ("entry" in line && !replayed.has(keyOf(line.entry))) yield line.entry;
  } finally {
    await handle.close();
  }
}

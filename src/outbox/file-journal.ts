// One open fileStore's state, shared by its parts (file-session.ts, file-settle.ts, file-reading.ts):
// the loaded journal, the in-memory record queue, the journal's writer and reader, and what every part
// does to them: tell waiters of a change, mark one record settled, compact a segment all settled.
import { unlink } from "node:fs/promises";
import { deferred } from "../internal/timers.js";
import type { StoreEnvironment } from "./contract.js";
import { Enable3OutboxError } from "./errors.js";
import { createDeadWaiting } from "./journal/dead-waiting.js";
import type { DirectoryLock } from "./journal/lock.js";
import { reportLost } from "./journal/lost.js";
import { heldBackBound } from "./journal/ordering.js";
import { createJournalReader } from "./journal/reader.js";
import { RecordQueue } from "./journal/record-queue.js";
import { markSettled, type Segment, sealMark, settledMark } from "./journal/segments.js";
import type { loadJournal } from "./journal/startup.js";
import { createJournalWriter } from "./journal/writer.js";

export type Settings = { segmentBytes: number; maxRetrying: number; syncIntervalMs: number };
type Loaded = Awaited<ReturnType<typeof loadJournal>>;
export type JournalReader = ReturnType<typeof createJournalReader>;

/** Records read ahead of delivery, at most. */
export const READ_AHEAD = 1024;
/** Records held in memory behind the head of their ordering key's line, at most. */
const MAX_HELD_BACK = 64 * READ_AHEAD;

export interface FileJournal {
  readonly dir: string;
  readonly env: StoreEnvironment;
  readonly lock: DirectoryLock;
  readonly segments: Loaded["segments"];
  readonly marks: Loaded["marks"];
  readonly manifest: Loaded["manifest"];
  readonly deadLog: Loaded["deadLog"];
  readonly byNumber: Loaded["byNumber"];
  readonly queue: RecordQueue;
  readonly reader: JournalReader;
  readonly writer: ReturnType<typeof createJournalWriter>;
  readonly deadWaiting: ReturnType<typeof createDeadWaiting>;
  /** Whether so many records wait behind their ordering key's head that reading ahead pauses (told once to onError). */
  readonly heldBackFull: () => boolean;
  closed: boolean;
  /** Resolved (and renewed) on every commit, settlement and release. */
  changed: ReturnType<typeof deferred<void>>;
  /** The pass over the journal that takes spilled records back, while one is under way (file-reading.ts). */
  rescan: JournalReader | undefined;
  /** Files of compacted segments being removed, one after another. */
  removing: Promise<void>;
  /** The oldest pending record's time when it is not in memory (file-reading.ts's readHead). */
  readonly headSeen: { key: string; enqueuedAt: number; reading: boolean };
}

export function createFileJournal(
  dir: string,
  settings: Settings,
  env: StoreEnvironment,
  lock: DirectoryLock,
  loaded: Loaded,
  damage: (message: string) => void,
): FileJournal {
  const { numbers, segments, marks, manifest, deadLog, byNumber } = loaded;
  const queue = new RecordQueue({ maxRetrying: settings.maxRetrying, maxDelayMs: env.maxDelayMs ?? Infinity });
  // the callbacks below read j when they run, which is never while it is being made
  const j: FileJournal = {
    dir,
    env,
    lock,
    segments,
    marks,
    manifest,
    deadLog,
    byNumber,
    queue,
    reader: createJournalReader(
      () => segments,
      (record, notBefore) => queue.fromJournal(record, notBefore),
      (segment, from, to, salvaged, why) =>
        reportLost(segment, from, to, salvaged, why, damage, (index) => {
          if (markSettled(segment, index)) marks.queue(segment, settledMark(index));
        }),
    ),
    writer: createJournalWriter({
      dir,
      segmentBytes: settings.segmentBytes,
      nextNumber: (numbers.at(-1) ?? 0) + 1,
      segments,
      beforeCommit: () => lock.check(),
      committed: () => notify(j),
      made: (segment) => manifest.made(segment.number),
      async abandoned(segment) {
        marks.queue(segment, sealMark(segment.count));
        await marks.durable(segment);
        await manifest.sealed(segment.number, segment.count);
        await compact(j, segment);
      },
      async sealed(segment) {
        marks.queue(segment, sealMark(segment.count));
        await manifest.sealed(segment.number, segment.count);
        await compact(j, segment); // its records may all be settled already
      },
    }),
    deadWaiting: createDeadWaiting(
      deadLog,
      (keys) => deadWritten(j, keys),
      env.onError,
      () => !lock.lost(),
    ),
    heldBackFull: heldBackBound(
      () => queue.heldBack,
      MAX_HELD_BACK,
      (count) =>
        env.onError(
          new Enable3OutboxError(
            "held_back",
            `${count} records of ${dir} wait behind earlier records of their ordering key: reading ahead pauses until those are delivered or dead`,
          ),
        ),
    ),
    closed: false,
    changed: deferred(),
    rescan: undefined,
    removing: Promise.resolve(),
    headSeen: { key: "", enqueuedAt: 0, reading: false },
  };
  return j;
}

/** Wakes whoever waits for a change (a take, a drain). */
export function notify(j: FileJournal): void {
  j.changed.resolve();
  j.changed = deferred();
}

/** A record's key (`segment:index`) as its segment, if it is still in the journal, and its index. */
export function parseKey(j: FileJournal, key: string) {
  const [segment, index] = key.split(":").map(Number) as [number, number];
  return { segment: j.byNumber(segment), index };
}

/** Marks one record settled; its segment if that changed it (to compact once the batch is done). */
export function settledOne(j: FileJournal, key: string): Segment | undefined {
  j.queue.settled(key); // the next record of its ordering key, if any, takes its turn
  const { segment, index } = parseKey(j, key);
  if (segment && markSettled(segment, index)) {
    j.marks.queue(segment, settledMark(index));
    return segment;
  }
  return undefined;
}

/** Dead records dead.log took late (after a full disk): settled now. */
function deadWritten(j: FileJournal, keys: string[]): void {
  for (const key of keys) {
    const segment = settledOne(j, key);
    if (segment) void compact(j, segment);
  }
  notify(j);
}

/**
 * Drops a sealed segment whose records are all settled. Its files are removed in the background, one
 * after another: a settle never waits for the manifest's fsync, and removals waiting meanwhile share the next one.
 */
export async function compact(j: FileJournal, segment: Segment): Promise<void> {
  if (!segment.sealed || segment.live > 0 || segment === j.writer.active()) return;
  const at = j.segments.indexOf(segment);
  if (at === -1) return; // compacted already (a seal and a settle can both ask)
  j.segments.splice(at, 1);
  const removed = j.manifest.removed(segment.number);
  j.removing = j.removing.then(async () => {
    await removed;
    await j.marks.drop(segment);
    await unlink(segment.log).catch(() => {});
    await unlink(segment.marks).catch(() => {}); // last: marks without a log mean a log deleted by hand
  });
}

// fileStore(dir): the embedded store for one machine, with no dependency. Records are appended to
// the journal (journal/segments.ts) in group commits: one write and one fdatasync for every enqueue
// waiting at that moment. Delivery reads the journal forward; what became of each record goes to
// its segment's marks; a segment whose records are all settled is deleted.
import { mkdir, unlink } from "node:fs/promises";
import { FILE_STORE_DEFAULTS } from "../internal/defaults.js";
import { optionKeys } from "../internal/option-keys.js";
import { deferred, waitFor } from "../internal/timers.js";
import * as check from "../internal/validate.js";
import type { DeadRecord, NewRecord, OutboxStore, StoredRecord, StoreEnvironment, StoreSession } from "./contract.js";
import { Enable3OutboxError, errnoCode } from "./errors.js";
import type { DeadEntry } from "./journal/dead-log.js";
import { purgeDeadLog } from "./journal/dead-purge.js";
import { createDeadWaiting } from "./journal/dead-waiting.js";
import { DIR_MODE } from "./journal/files.js";
import { inspectFileStore } from "./journal/inspect.js";
import { type DirectoryLock, lockDirectory } from "./journal/lock.js";
import { reportLost } from "./journal/lost.js";
import { heldBackBound } from "./journal/ordering.js";
import { createJournalReader, LETTER_OF, type RecordLine } from "./journal/reader.js";
import { RecordQueue } from "./journal/record-queue.js";
import { markSettled, retryMark, type Segment, sealMark, settledMark } from "./journal/segments.js";
import { loadJournal } from "./journal/startup.js";
import { writeStatusFile } from "./journal/status-file.js";
import { createJournalWriter } from "./journal/writer.js";

/** Options of {@link fileStore}. */
export interface FileStoreOptions {
  /** A segment file is closed and a new one started past this size; settled segments are deleted whole. @default 8388608 (8 MiB) */
  segmentBytes?: number | undefined;
  /** Records waiting out a backoff that are kept in memory; past it, reading ahead pauses. @default 1024 */
  maxRetrying?: number | undefined;
  /** How often what became of records is synced to disk (a record delivered just before a crash may be sent again, same id). @default 1000 */
  syncIntervalMs?: number | undefined;
}

const FILE_STORE_OPTION_KEYS = optionKeys<FileStoreOptions>()(["segmentBytes", "maxRetrying", "syncIntervalMs"]);

/** Records read ahead of delivery, at most. */
const READ_AHEAD = 1024;
/** Records held in memory behind the head of their ordering key's line, at most. */
const MAX_HELD_BACK = 64 * READ_AHEAD;

/**
 * The embedded store: an append-only journal in `dir` (created 0700, files 0600), for one process at
 * a time (a second opener gets Enable3OutboxError `"locked"` naming the holder's PID).
 * @example
 * import { createOutbox, fileStore } from "enable3-client/outbox";
 * const outbox = createOutbox(enable3, { store: fileStore("./enable3-outbox") });
 */
export function fileStore(dir: string, options: FileStoreOptions = {}): OutboxStore {
  const where = check.nonBlankString(dir, "dir");
  const o = check.plainObject(options, "options") as FileStoreOptions;
  check.checkKnownKeys(o, FILE_STORE_OPTION_KEYS, "options");
  const settings = {
    segmentBytes: check.numberIn(o.segmentBytes ?? FILE_STORE_DEFAULTS.segmentBytes, "options.segmentBytes", 1024, 2 ** 31, true),
    maxRetrying: check.numberIn(o.maxRetrying ?? FILE_STORE_DEFAULTS.maxRetrying, "options.maxRetrying", 1, 2 ** 24, true),
    syncIntervalMs: check.numberIn(o.syncIntervalMs ?? FILE_STORE_DEFAULTS.syncIntervalMs, "options.syncIntervalMs", 1, 3_600_000),
  };
  return {
    description: `fileStore(${where})`,
    transactional: false,
    open: (environment) => openFileStore(where, settings, environment),
    inspect: () => inspectFileStore(where),
  };
}

type Settings = { segmentBytes: number; maxRetrying: number; syncIntervalMs: number };

async function openFileStore(dir: string, settings: Settings, env: StoreEnvironment): Promise<StoreSession> {
  const what = `the outbox directory ${dir}`;
  try {
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
  } catch (error) {
    throw new Enable3OutboxError("open_failed", `cannot create ${what} (${errnoCode(error) ?? (error as Error).message})`, error);
  }
  const lock = await lockDirectory(dir, what, (error) => env.onError(error));
  try {
    return await recover(dir, settings, env, lock);
  } catch (error) {
    await lock.release();
    if (error instanceof Enable3OutboxError) throw error;
    throw new Enable3OutboxError("open_failed", `cannot open ${what} (${errnoCode(error) ?? (error as Error).message})`, error);
  }
}

async function recover(dir: string, settings: Settings, env: StoreEnvironment, lock: DirectoryLock): Promise<StoreSession> {
  const damage = (message: string) => env.onError(new Enable3OutboxError("corrupt", message));
  const { numbers, segments, marks, manifest, deadLog, byNumber } = await loadJournal(dir, settings.syncIntervalMs, env.onError, damage);

  let closed = false;
  const queue = new RecordQueue({ maxRetrying: settings.maxRetrying, maxDelayMs: env.maxDelayMs ?? Infinity });
  const inMemory = queue.records;
  let changed = deferred(); // resolved (and renewed) on every commit, settlement and release

  const notify = () => {
    changed.resolve();
    changed = deferred();
  };
  // spilled records (see journal/record-queue.ts) are taken back by a pass over the journal
  let rescan: ReturnType<typeof createJournalReader> | undefined;
  const rescanStep = async (): Promise<boolean> => {
    if (!rescan) {
      if (!queue.startRescan()) return false;
      rescan = createJournalReader(
        () => segments,
        (record, notBefore) => notBefore > 0 && queue.fromJournal(record, notBefore), // only retry-marked records: fresh ones are the reader's
        () => {}, // the reader reports damage, once
      );
    }
    if (await rescan.readMore()) return true;
    await rescan.close();
    rescan = undefined;
    return false;
  };
  const reader = createJournalReader(
    () => segments,
    (record, notBefore) => queue.fromJournal(record, notBefore),
    (segment, from, to, salvaged, why) =>
      reportLost(segment, from, to, salvaged, why, damage, (index) => {
        if (markSettled(segment, index)) marks.queue(segment, settledMark(index));
      }),
  );

  // files of compacted segments are removed in the background, one after another: a settle never
  // waits for the manifest's fsync, and removals waiting meanwhile share the next one
  let removing: Promise<void> = Promise.resolve();
  const compact = async (segment: Segment) => {
    if (!segment.sealed || segment.live > 0 || segment === writer.active()) return;
    const at = segments.indexOf(segment);
    if (at === -1) return; // compacted already (a seal and a settle can both ask)
    segments.splice(at, 1);
    const removed = manifest.removed(segment.number);
    removing = removing.then(async () => {
      await removed;
      await marks.drop(segment);
      await unlink(segment.log).catch(() => {});
      await unlink(segment.marks).catch(() => {}); // last: marks without a log mean a log deleted by hand
    });
  };
  const writer = createJournalWriter({
    dir,
    segmentBytes: settings.segmentBytes,
    nextNumber: (numbers.at(-1) ?? 0) + 1,
    segments,
    beforeCommit: () => lock.check(),
    committed: () => notify(),
    made: (segment) => manifest.made(segment.number),
    async abandoned(segment) {
      marks.queue(segment, sealMark(segment.count));
      await marks.durable(segment);
      await manifest.sealed(segment.number, segment.count);
      await compact(segment);
    },
    async sealed(segment) {
      marks.queue(segment, sealMark(segment.count));
      await manifest.sealed(segment.number, segment.count);
      await compact(segment); // its records may all be settled already
    },
  });

  for (const segment of [...segments]) await compact(segment);
  // the oldest pending record's time, read from the journal when it is not in memory (at open, before
  // delivery reads anything, or with deliver: false): stats() would say 0 with a million pending
  const headSeen = { key: "", enqueuedAt: 0, reading: false };
  const readHead = async () => {
    const head = segments.find((s) => s.live > 0);
    const key = head && `${head.number}:${head.head}`;
    if (!head || headSeen.key === key || headSeen.reading) return;
    headSeen.reading = true;
    const once = createJournalReader(
      () => [head],
      (record) => {
        if (record.key === key) Object.assign(headSeen, { key, enqueuedAt: record.enqueuedAt });
      },
      () => {},
    );
    // until the head record is read: it may lie past the first chunk (its segment's start delivered)
    try {
      while (headSeen.key !== key && (await once.readMore()));
    } finally {
      await once.close();
    }
    headSeen.reading = false;
  };
  await readHead().catch(() => {});

  const deadWaiting = createDeadWaiting(
    deadLog,
    (keys) => {
      for (const key of keys) {
        const segment = settledOne(key);
        if (segment) void compact(segment);
      }
      notify();
    },
    env.onError,
    () => !lock.lost(),
  );

  const add = async (records: NewRecord[]): Promise<void> => {
    if (closed) throw new Enable3OutboxError("closed", `the outbox directory ${dir} is closed`);
    deadWaiting.refuseNew();
    const now = Date.now();
    await writer.append(
      records.map((r) =>
        JSON.stringify({
          k: LETTER_OF[r.kind],
          id: r.id,
          b: r.body,
          t: now,
          ...(r.context === undefined ? {} : { c: r.context }),
          ...(r.traceparent === undefined ? {} : { p: r.traceparent }),
          ...(r.orderingKey === undefined ? {} : { o: r.orderingKey }),
        } satisfies Omit<RecordLine, "n">),
      ),
    );
  };

  const parseKey = (key: string) => {
    const [segment, index] = key.split(":").map(Number) as [number, number];
    return { segment: byNumber(segment), index };
  };
  const settledOne = (key: string) => {
    queue.settled(key); // the next record of its ordering key, if any, takes its turn
    const { segment, index } = parseKey(key);
    if (segment && markSettled(segment, index)) {
      marks.queue(segment, settledMark(index));
      return segment;
    }
    return undefined;
  };

  const heldBackFull = heldBackBound(
    () => queue.heldBack,
    MAX_HELD_BACK,
    (count) =>
      env.onError(
        new Enable3OutboxError(
          "held_back",
          `${count} records of ${dir} wait behind earlier records of their ordering key: reading ahead pauses until those are delivered or dead`,
        ),
      ),
  );

  const session: StoreSession = {
    add: (records) => add(records),
    async take(limit, signal) {
      for (;;) {
        if (closed || signal.aborted) return [];
        if (lock.lost()) {
          await waitFor(new Promise(() => {}), signal, undefined); // another process may own the journal now
          continue;
        }
        // fresh records are read even while retries are due: retries share delivery, never take it over
        if (queue.freshCount < Math.min(limit, READ_AHEAD) && !heldBackFull() && (await reader.readMore())) continue;
        if (queue.dueCount < limit && (await rescanStep())) continue;
        const records = queue.take(limit);
        if (records.length > 0) return records;
        await waitFor(changed.promise, signal, queue.nextWakeIn());
      }
    },
    async settle(settlements) {
      if (lock.lost()) return; // nothing more is written: the next holder hands these records out again
      // the dead first, in dead.log (synced), marked settled only once it holds them; those it could
      // not take (a full disk) wait in memory, still pending, and the rest of the batch goes on
      const dead: { entry: DeadEntry; key: string }[] = [];
      for (const s of settlements) {
        const record = inMemory.get(s.key);
        if (s.outcome === "delivered" || s.outcome === "released" || s.outcome === "retry" || !record) continue;
        const { segment, index } = parseKey(s.key);
        dead.push({
          entry: {
            ...deadOf(record),
            attempts: s.attempts,
            error: s.error,
            segment: segment?.number ?? -1,
            index,
            ...(record.orderingKey === undefined ? {} : { orderingKey: record.orderingKey }),
          },
          key: s.key,
        });
      }
      const written = await deadWaiting.write(dead);
      const touched = new Set<Segment>();
      for (const s of settlements) {
        const record = inMemory.get(s.key);
        if (s.outcome === "delivered") {
          const segment = settledOne(s.key);
          if (segment) touched.add(segment);
        } else if (s.outcome === "released") {
          if (record) queue.release(record);
        } else if (s.outcome === "retry") {
          const { segment, index } = parseKey(s.key);
          if (!segment || !record || segment.settled.has(index)) continue;
          const state = { attempts: s.attempts, notBefore: Date.now() + s.delayMs };
          segment.retry.set(index, state);
          marks.queue(segment, retryMark(index, state));
          record.attempts = s.attempts;
          record.lastError = s.error;
          queue.retryAfter(record, s.delayMs);
        }
      }
      for (const key of written) {
        const segment = settledOne(key);
        if (segment) touched.add(segment);
      }
      for (const segment of touched) await compact(segment);
      notify();
    },
    async watermark() {
      await writer.settled();
      const last = [...segments].reverse().find((s) => s.count > 0);
      return last ? { segment: last.number, index: last.count - 1 } : null;
    },
    async drained(mark, signal) {
      const m = mark as { segment: number; index: number } | null;
      for (;;) {
        const head = segments.find((s) => s.live > 0);
        if (!m || !head || head.number > m.segment || (head.number === m.segment && head.head > m.index)) return;
        if (signal?.aborted) throw signal.reason;
        await waitFor(changed.promise, signal, undefined);
      }
    },
    async *dead() {
      for await (const entry of deadLog.entries()) yield deadOf(entry);
    },
    async replay(ids) {
      const wanted = ids ? new Set(ids) : undefined;
      return deadLog
        .take(
          (entry) => !wanted || wanted.has(entry.id),
          (entries) =>
            add(
              entries.map((e) => ({
                kind: e.kind,
                id: e.id,
                body: e.body,
                ...(e.context === undefined ? {} : { context: e.context }),
                ...(e.orderingKey === undefined ? {} : { orderingKey: e.orderingKey }),
              })),
            ),
        )
        .catch((error) => {
          if (error instanceof Enable3OutboxError) throw error;
          const code = errnoCode(error) ?? (error as Error).message;
          throw new Enable3OutboxError("write_failed", `cannot rewrite ${dir}/dead.log (${code}): what was replayed stays replayed`, error);
        });
    },
    purgeDead: (olderThanMs, dryRun) => purgeDeadLog(deadLog, olderThanMs, dryRun),
    publishStatus: (status) => (lock.lost() ? Promise.resolve() : writeStatusFile(dir, status)),
    counts() {
      let pending = 0;
      for (const s of segments) pending += s.live;
      const head = segments.find((s) => s.live > 0);
      const key = head && `${head.number}:${head.head}`;
      const oldest = key ? (inMemory.get(key)?.enqueuedAt ?? (headSeen.key === key ? headSeen.enqueuedAt : undefined)) : undefined;
      if (key && oldest === undefined) readHead().catch(() => {}); // for the next call
      return { pending, dead: deadLog.count, oldestPendingMs: oldest === undefined ? 0 : Math.max(0, Date.now() - oldest) };
    },
    async close() {
      if (closed) return;
      await writer.settled();
      closed = true;
      notify();
      deadWaiting.close();
      await reader.close();
      await rescan?.close();
      await marks.close();
      await writer.close();
      await removing;
      await manifest.close();
      await deadLog.close();
      await lock.release();
    },
  };
  return session;
}

function deadOf(record: StoredRecord | DeadEntry): DeadRecord {
  const { kind, id, body, attempts, enqueuedAt, context } = record;
  const error = "error" in record ? record.error : (record.lastError ?? { name: "Enable3Error", code: "unexpected", message: "unknown" });
  const diedAt = "diedAt" in record ? record.diedAt : Date.now();
  return { kind, id, body, attempts, error, enqueuedAt, diedAt, ...(context === undefined ? {} : { context }) };
}

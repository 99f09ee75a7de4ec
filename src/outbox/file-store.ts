// fileStore(dir): the embedded store for one machine, with no dependency. Records are appended to
// the journal (journal/segments.ts) in group commits: one write and one fdatasync for every enqueue
// waiting at that moment. Delivery reads the journal forward; what became of each record goes to
// its segment's marks; a segment whose records are all settled is deleted. Opening takes the lock and
// loads the journal (here); the open store's state is file-journal.ts, its session file-session.ts.
import { mkdir } from "node:fs/promises";
import { FILE_STORE_DEFAULTS } from "../internal/defaults.js";
import { optionKeys } from "../internal/option-keys.js";
import * as check from "../internal/validate.js";
import type { OutboxStore, StoreEnvironment, StoreSession } from "./contract.js";
import { Enable3OutboxError, errnoCode } from "./errors.js";
import { compact, createFileJournal, type Settings } from "./file-journal.js";
import { readHead } from "./file-reading.js";
import { fileSession } from "./file-session.js";
import { DIR_MODE } from "./journal/files.js";
import { inspectFileStore } from "./journal/inspect.js";
import { type DirectoryLock, lockDirectory } from "./journal/lock.js";
import { loadJournal } from "./journal/startup.js";

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

/** The journal as the last holder left it: loaded, its settled segments compacted, its oldest pending record's time read. */
async function recover(dir: string, settings: Settings, env: StoreEnvironment, lock: DirectoryLock): Promise<StoreSession> {
  const damage = (message: string) => env.onError(new Enable3OutboxError("corrupt", message));
  const loaded = await loadJournal(dir, settings.syncIntervalMs, env.onError, damage);
  const j = createFileJournal(dir, settings, env, lock, loaded, damage);
  for (const segment of [...j.segments]) await compact(j, segment);
  await readHead(j).catch(() => {});
  return fileSession(j);
}

// Bulk sending: reads any (async) iterable lazily, sends with bounded concurrency, and accounts for
// every input it read exactly once, delivered or failed; on an abort it stops reading and says where.
import { type Enable3Error, Enable3ValidationError } from "../errors/classes.js";
import { asEnable3Error, notSentError, sourceReadError } from "../errors/messages.js";
import { BULK_DEFAULTS } from "../internal/defaults.js";
import { optionKeys } from "../internal/option-keys.js";
import * as check from "../internal/validate.js";
import { REQUEST_OPTION_KEYS, type RequestOptions } from "./options.js";

/** Options of sendEvents and sendRevenues; per-call options apply to every item. */
export interface BulkOptions<I = unknown> extends Omit<RequestOptions, "signal"> {
  /** Requests in flight at once, from 1 to 1024. @default 8 */
  concurrency?: number | undefined;
  /**
   * Stops the run: nothing more is read, calls in flight are aborted (reported failed with an
   * Enable3AbortError; their ids are kept so a resend is idempotent), and `unreadFrom` says where reading stopped.
   */
  signal?: AbortSignal | undefined;
  /** Called after every item settles. */
  onProgress?: ((progress: BulkProgress) => void) | undefined;
  /** Keep the `delivered` list. Turn off for huge runs where counts are enough. @default true */
  collectDelivered?: boolean | undefined;
  /**
   * Keep the `failed` list. Turn off for huge runs and take each failure from `onSettled` instead:
   * memory then stays flat however many items fail. @default true
   */
  collectFailed?: boolean | undefined;
  /** Called once per item as it settles, with the item itself: stream failures out as they happen. */
  onSettled?: ((item: BulkSettledItem<I>) => void) | undefined;
}

const BULK_OPTION_KEYS = optionKeys<BulkOptions<unknown>>()([
  ...REQUEST_OPTION_KEYS,
  "concurrency",
  "onProgress",
  "collectDelivered",
  "collectFailed",
  "onSettled",
]);

/** One item as it settled, handed to `onSettled`. */
export interface BulkSettledItem<I> {
  /** Position in the input, from 0. */
  index: number;
  /** The id it was sent with (or, for an invalid item, the one it carried). */
  id: string | undefined;
  /** The item as it was given. */
  item: I;
  /** Absent when the item was delivered. */
  error?: Enable3Error | undefined;
}

/** Counts of a bulk run so far, handed to `onProgress`. */
export interface BulkProgress {
  /** Items read from the input so far. */
  read: number;
  /** Items delivered. */
  delivered: number;
  /** Items that failed, `notSent` ones included. */
  failed: number;
  /** Items read but never sent because the run was aborted first (a subset of `failed`). */
  notSent: number;
  /** Requests under way. */
  inFlight: number;
}

/** A delivered item in a {@link BulkReport}. */
export interface BulkDeliveredItem {
  /** Position in the input, from 0. */
  index: number;
  /** The event id or revenue requestId it was sent with. */
  id: string;
}

/** A failed item in a {@link BulkReport}. */
export interface BulkFailedItem {
  /** Position in the input, from 0. */
  index: number;
  /** Missing only when the item was too malformed to carry one. */
  id: string | undefined;
  /** Why it failed (an Enable3AbortError with `code: "not_sent"` when it was never sent). */
  error: Enable3Error;
}

/** What a bulk run resolves to: every item it read, delivered or failed, and where it stopped. */
export interface BulkReport {
  /** Empty when `collectDelivered` is false. */
  delivered: BulkDeliveredItem[];
  /** Items delivered (counted also when not collected). */
  deliveredCount: number;
  /** Empty when `collectFailed` is false. */
  failed: BulkFailedItem[];
  /** Items failed (counted also when not collected). */
  failedCount: number;
  /** True when the signal stopped the run. */
  aborted: boolean;
  /**
   * The index of the first item never read, when the run stopped before the end of its input (an
   * abort, or a source error): resend from there. Undefined when the whole input was read.
   */
  unreadFrom?: number | undefined;
  /** Set when reading the input itself failed; items after that point were never seen. */
  sourceError?: Enable3Error | undefined;
}

/** How a bulk run turns an item into a call: made once per run, so nothing is made per item but the body. */
export interface BulkItemHandler<I, B = unknown> {
  /** Checks an item and builds the body it is sent as; throws Enable3ValidationError for a bad one. */
  prepare(item: I, index: number): B;
  /** The id a body is sent with (an event's id, a revenue report's requestId). */
  idOf(body: B): string;
  /** Sends a body as one call. */
  send(body: B, options: RequestOptions | undefined): Promise<unknown>;
  /** The id an invalid item carried, if any, for the report. */
  idOfInvalid(item: I): string | undefined;
  /** Told how each item settled, for the client's telemetry (the bulk counters). */
  observe(outcome: "delivered" | "failed" | "not_sent"): void;
}

export async function sendInBulk<I, B>(
  items: Iterable<I> | AsyncIterable<I>,
  handler: BulkItemHandler<I, B>,
  options: BulkOptions<I> = {},
): Promise<BulkReport> {
  if (items === null || typeof items !== "object" || !(Symbol.iterator in items || Symbol.asyncIterator in items)) {
    throw new Enable3ValidationError("items", `must be an array or an (async) iterable, got ${check.typeName(items)}`);
  }
  const o = (options === undefined ? {} : check.plainObject(options, "options")) as BulkOptions<I>;
  check.checkKnownKeys(o, BULK_OPTION_KEYS, "options");
  const concurrency = check.numberIn(o.concurrency ?? BULK_DEFAULTS.concurrency, "options.concurrency", 1, 1024, true);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal))
    throw new Enable3ValidationError("options.signal", "must be an AbortSignal");
  const {
    concurrency: _c,
    onProgress,
    onSettled,
    collectDelivered = BULK_DEFAULTS.collectDelivered,
    collectFailed = BULK_DEFAULTS.collectFailed,
    signal,
    ...requestOptions
  } = o;
  const noRequestOptions = Object.values(requestOptions).every((value) => value === undefined);
  const report: BulkReport = { delivered: [], deliveredCount: 0, failed: [], failedCount: 0, aborted: false };
  const progress: BulkProgress = { read: 0, delivered: 0, failed: 0, notSent: 0, inFlight: 0 };
  const asynchronous = Symbol.asyncIterator in items;
  const source = asynchronous ? items[Symbol.asyncIterator]() : (items as Iterable<I>)[Symbol.iterator]();
  const calls = callSignals(signal);
  let reading: Promise<unknown> = Promise.resolve();
  let finished = false;

  // What the last step read: the item and its index (one reader at a time, so one slot is enough).
  let item: I;
  let index = 0;
  /** Reads the next item into `item`/`index`; false at the end, after an abort, or when the source failed. */
  const step = (value: IteratorResult<I>): boolean => {
    if (value.done) {
      finished = true;
      return false;
    }
    item = value.value;
    index = progress.read++;
    return true;
  };
  const sourceFailed = (cause: unknown): false => {
    finished = true;
    report.unreadFrom = progress.read;
    report.sourceError = sourceReadError(progress.read, cause);
    return false;
  };
  const stopReading = async (): Promise<false> => {
    finished = true;
    report.aborted = true;
    report.unreadFrom = progress.read;
    await Promise.resolve(source.return?.()).catch(() => {}); // let a generator close its file or socket
    return false;
  };
  // A synchronous source (an array) is read in place: no promise per item. An asynchronous one is read
  // by one reader at a time (iterators are not required to handle overlapping next() calls). After an
  // abort nothing more is read: an endless or huge source is never walked to its end.
  const nextSync = (): boolean | Promise<false> => {
    if (finished) return false;
    if (signal?.aborted) return stopReading();
    try {
      return step((source as Iterator<I>).next());
    } catch (cause) {
      return sourceFailed(cause);
    }
  };
  // an asynchronous read hands its item over in the promise: other readers move the slot meanwhile
  const nextAsync = (): Promise<{ item: I; index: number } | false> => {
    const result = reading.then(async () => {
      if (finished) return false;
      if (signal?.aborted) return stopReading();
      try {
        return step(await source.next()) && { item, index };
      } catch (cause) {
        return sourceFailed(cause);
      }
    });
    reading = result;
    return result;
  };

  const settled = (error: Enable3Error | undefined, entryIndex: number, id: string | undefined, entry: I) => {
    if (error === undefined) {
      report.deliveredCount++;
      progress.delivered++;
      if (collectDelivered) report.delivered.push({ index: entryIndex, id: id! });
    } else {
      report.failedCount++;
      progress.failed++;
      if (collectFailed) report.failed.push({ index: entryIndex, id, error });
    }
    handler.observe(error === undefined ? "delivered" : error.code === "not_sent" ? "not_sent" : "failed");
    // a failing callback must not lose items or reject the run
    try {
      onSettled?.(error === undefined ? { index: entryIndex, id, item: entry } : { index: entryIndex, id, item: entry, error });
    } catch {}
    try {
      onProgress?.({ ...progress });
    } catch {}
  };

  const worker = async () => {
    for (;;) {
      let entry: I;
      let entryIndex: number;
      if (asynchronous) {
        const read = await nextAsync();
        if (!read) break;
        entry = read.item;
        entryIndex = read.index;
      } else {
        const more = nextSync();
        // taken at once, before any await lets another worker read into the slot
        entry = item!;
        entryIndex = index;
        if (!(more === true || (await more))) break;
      }
      if (signal?.aborted) {
        report.aborted = true;
        progress.notSent++;
        settled(notSentError(signal.reason), entryIndex, safeId(handler, entry), entry);
        continue;
      }
      let body: B;
      try {
        body = handler.prepare(entry, entryIndex);
      } catch (error) {
        settled(asEnable3Error(error), entryIndex, safeId(handler, entry), entry);
        continue;
      }
      progress.inFlight++;
      const call = signal === undefined ? undefined : calls.open();
      try {
        // no per-call options at all: the client's settings are used as they are, with no per-item copy
        await handler.send(body, call === undefined && noRequestOptions ? undefined : { ...requestOptions, signal: call?.signal });
        progress.inFlight--;
        settled(undefined, entryIndex, handler.idOf(body), entry);
      } catch (error) {
        progress.inFlight--;
        if (signal?.aborted) report.aborted = true;
        settled(asEnable3Error(error), entryIndex, handler.idOf(body), entry);
      } finally {
        call?.close();
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    calls.dispose();
  }
  if (collectFailed) report.failed.sort((a, b) => a.index - b.index);
  if (collectDelivered) report.delivered.sort((a, b) => a.index - b.index);
  return report;
}

/**
 * Per-call signals tied to the run's signal by ONE listener, however many calls are in flight: the
 * caller's signal never collects a listener per call (Node warns past ten). No signal, no cost.
 */
function callSignals(signal: AbortSignal | undefined) {
  if (!signal) return { open: () => ({ signal: undefined, close() {} }), dispose() {} }; // not called per item: see worker
  const open = new Set<AbortController>();
  const onAbort = () => {
    for (const controller of open) controller.abort(signal.reason);
  };
  signal.addEventListener("abort", onAbort, { once: true });
  return {
    open() {
      const controller = new AbortController();
      if (signal.aborted) controller.abort(signal.reason);
      open.add(controller);
      return { signal: controller.signal, close: () => open.delete(controller) };
    },
    dispose: () => signal.removeEventListener("abort", onAbort),
  };
}

function safeId<I>(handler: Pick<BulkItemHandler<I>, "idOfInvalid">, item: I): string | undefined {
  try {
    return handler.idOfInvalid(item);
  } catch {
    return undefined;
  }
}

// Bulk sending: reads any (async) iterable lazily, sends with bounded concurrency, and accounts for
// every input it read exactly once, delivered or failed; on an abort it stops reading and says where.
import type { Enable3Error } from "../errors/base.js";
import { asEnable3Error, notSentError, sourceReadError } from "../errors/messages.js";
import { Enable3ValidationError } from "../errors/validation.js";
import { BULK_DEFAULTS } from "../internal/defaults.js";
import { optionKeys } from "../internal/option-keys.js";
import * as check from "../internal/validate.js";
import type { BulkItemHandler, BulkOptions, BulkProgress, BulkReport } from "./bulk-types.js";
import { REQUEST_OPTION_KEYS } from "./options.js";
import { sendRecords } from "./record-sender.js";

const BULK_OPTION_KEYS = optionKeys<BulkOptions<unknown>>()([
  ...REQUEST_OPTION_KEYS,
  "concurrency",
  "onProgress",
  "collectDelivered",
  "collectFailed",
  "onSettled",
]);

/** An item read, checked and ready to send: what the record sender carries through to its settlement. */
interface Prepared<I, B> {
  item: I;
  index: number;
  body: B;
}

export async function sendInBulk<I, B>(
  items: Iterable<I> | AsyncIterable<I>,
  handler: BulkItemHandler<I, B>,
  options: BulkOptions<I> = {},
): Promise<BulkReport> {
  if (items === null || typeof items !== "object" || !(Symbol.iterator in items || Symbol.asyncIterator in items)) {
    throw new Enable3ValidationError("items", `must be an array or an (async) iterable, got ${check.typeName(items)}`);
  }
  const { concurrency, onProgress, onSettled, collectDelivered, collectFailed, signal, requestOptions } = runOptions(options);
  // checked once for the run: every call shares the run's signal (one listener on it however many are in flight)
  const noRequestOptions = signal === undefined && Object.values(requestOptions).every((value) => value === undefined);
  const settings = handler.settings(noRequestOptions ? undefined : { ...requestOptions, signal });
  const report: BulkReport = { delivered: [], deliveredCount: 0, failed: [], failedCount: 0, aborted: false };
  const progress: BulkProgress = { read: 0, delivered: 0, failed: 0, notSent: 0, inFlight: 0 };
  const read = readItems(items, signal, report, progress);

  const settled = settlerFor(report, progress, handler, { onProgress, onSettled, collectDelivered, collectFailed });

  /** An item read, checked: ready to send, or (aborted, invalid) settled here and undefined. */
  const accept = (entry: Read<I>): Prepared<I, B> | undefined => {
    if (signal?.aborted) {
      report.aborted = true;
      progress.notSent++;
      settled(notSentError(signal.reason), entry.index, safeId(handler, entry.item), entry.item);
      return undefined;
    }
    try {
      const prepared = entry as unknown as Prepared<I, B>;
      prepared.body = handler.prepare(entry.item, entry.index);
      progress.inFlight++;
      return prepared;
    } catch (error) {
      settled(asEnable3Error(error), entry.index, safeId(handler, entry.item), entry.item);
      return undefined;
    }
  };
  /** The next item to send; from a synchronous source (an array) without a promise. */
  const next = (): Prepared<I, B> | undefined | Promise<Prepared<I, B> | undefined> => {
    for (;;) {
      const entry = read();
      if (entry instanceof Promise) return entry.then((later) => (later ? (accept(later) ?? next()) : undefined));
      if (!entry) return undefined;
      const prepared = accept(entry);
      if (prepared) return prepared;
    }
  };
  await sendRecords(
    next,
    (prepared) => handler.send(prepared.body, settings),
    (prepared, error) => {
      progress.inFlight--;
      if (error && signal?.aborted) report.aborted = true;
      settled(error, prepared.index, handler.idOf(prepared.body), prepared.item);
    },
    concurrency,
  );
  if (collectFailed) report.failed.sort((a, b) => a.index - b.index);
  if (collectDelivered) report.delivered.sort((a, b) => a.index - b.index);
  return report;
}

/** A run's options checked once, its own apart from the request options every call shares. */
function runOptions<I>(options: BulkOptions<I> | undefined) {
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
  return { concurrency, onProgress, onSettled, collectDelivered, collectFailed, signal, requestOptions };
}

/** What a run does as each item settles: counts it, collects it if asked, tells the telemetry and the callbacks. */
function settlerFor<I, B>(
  report: BulkReport,
  progress: BulkProgress,
  handler: BulkItemHandler<I, B>,
  {
    onProgress,
    onSettled,
    collectDelivered,
    collectFailed,
  }: Pick<BulkOptions<I>, "onProgress" | "onSettled" | "collectDelivered" | "collectFailed">,
) {
  return (error: Enable3Error | undefined, entryIndex: number, id: string | undefined, entry: I) => {
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
}

/** An item as read, with its index; `body` is filled in once it is checked (one object per item, carried to its settlement). */
interface Read<I> {
  item: I;
  index: number;
  body: undefined;
}

/**
 * Reads the next item: false at the end, after an abort, or when the source failed (the report then
 * says where). A synchronous source (an array) is read in place, with no promise per item; an
 * asynchronous one by one reader at a time (iterators are not required to handle overlapping next()
 * calls). After an abort nothing more is read: an endless or huge source is never walked to its end.
 */
function readItems<I>(items: Iterable<I> | AsyncIterable<I>, signal: AbortSignal | undefined, report: BulkReport, progress: BulkProgress) {
  const asynchronous = Symbol.asyncIterator in items;
  const source = asynchronous ? items[Symbol.asyncIterator]() : (items as Iterable<I>)[Symbol.iterator]();
  let reading: Promise<unknown> = Promise.resolve();
  let finished = false;
  const stop = async (): Promise<false> => {
    finished = true;
    report.aborted = true;
    report.unreadFrom = progress.read;
    await Promise.resolve(source.return?.()).catch(() => {}); // let a generator close its file or socket
    return false;
  };
  const failed = (cause: unknown): false => {
    finished = true;
    report.unreadFrom = progress.read;
    report.sourceError = sourceReadError(progress.read, cause);
    return false;
  };
  const step = (value: IteratorResult<I>): Read<I> | false => {
    if (!value.done) return { item: value.value, index: progress.read++, body: undefined };
    finished = true;
    return false;
  };
  const readAsync = async (): Promise<Read<I> | false> => {
    if (finished) return false;
    if (signal?.aborted) return stop();
    try {
      return step(await source.next());
    } catch (cause) {
      return failed(cause);
    }
  };
  return (): Read<I> | false | Promise<Read<I> | false> => {
    if (asynchronous) {
      const result = reading.then(readAsync);
      reading = result;
      return result;
    }
    if (finished) return false;
    if (signal?.aborted) return stop();
    try {
      return step((source as Iterator<I>).next());
    } catch (cause) {
      return failed(cause);
    }
  };
}

function safeId<I>(handler: Pick<BulkItemHandler<I>, "idOfInvalid">, item: I): string | undefined {
  try {
    return handler.idOfInvalid(item);
  } catch {
    return undefined;
  }
}

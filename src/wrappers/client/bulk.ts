// Bulk sending: reads any (async) iterable lazily, sends with bounded concurrency, and accounts for
// every input exactly once, delivered or failed, whatever the inputs or the server do.
import { Enable3AbortError, Enable3Error, Enable3ValidationError } from "../errors.js";
import type { RequestOptions } from "../transport/options.js";
import * as check from "../internal/validate.js";
import { BULK_DEFAULTS } from "../internal/defaults.js";

export interface BulkOptions<I = unknown> extends Omit<RequestOptions, "signal"> {
  /** Requests in flight at once, from 1 to 1024. @default 8 */
  concurrency?: number;
  /** Stops reading and sending; what was not sent is reported as failed with an Enable3AbortError. */
  signal?: AbortSignal;
  /** Called after every item settles. */
  onProgress?: (progress: BulkProgress) => void;
  /** Keep the `delivered` list. Turn off for huge runs where counts are enough. @default true */
  collectDelivered?: boolean;
  /** Called once per item as it settles, with the item itself: stream failures out as they happen. */
  onSettled?: (outcome: BulkOutcome<I>) => void;
}

export interface BulkOutcome<I> {
  index: number;
  id: string | undefined;
  item: I;
  /** Absent when the item was delivered. */
  error?: Enable3Error;
}

export interface BulkProgress {
  /** Items read from the input so far. */
  read: number;
  delivered: number;
  failed: number;
  inFlight: number;
}

export interface BulkDelivered {
  /** Position in the input, from 0. */
  index: number;
  /** The event id or revenue requestId it was sent with. */
  id: string;
}

export interface BulkFailure {
  index: number;
  /** Missing only when the item was too malformed to carry one. */
  id: string | undefined;
  error: Enable3Error;
}

export interface BulkReport {
  delivered: BulkDelivered[];
  deliveredCount: number;
  failed: BulkFailure[];
  /** True when the signal stopped the run. */
  aborted: boolean;
  /** Set when reading the input itself failed; items after that point were never seen. */
  sourceError?: Enable3Error;
}

export interface BulkItemHandler<I> {
  /** Checks an item and gives the id it will be sent with and a function that sends it; throws Enable3ValidationError for a bad one. */
  prepare(item: I, index: number): { id: string; send: (options: RequestOptions) => Promise<unknown> };
  /** The id an invalid item carried, if any, for the report. */
  idOf(item: I): string | undefined;
}

export async function sendInBulk<I>(
  items: Iterable<I> | AsyncIterable<I>,
  handler: BulkItemHandler<I>,
  options: BulkOptions<I> = {},
): Promise<BulkReport> {
  const concurrency = check.numberIn(options.concurrency ?? BULK_DEFAULTS.concurrency, "options.concurrency", 1, 1024, true);
  if (items === null || typeof items !== "object" || !(Symbol.iterator in items || Symbol.asyncIterator in items)) {
    throw new Enable3ValidationError("items", `must be an array or an (async) iterable, got ${check.typeName(items)}`);
  }
  const { concurrency: _c, onProgress, onSettled, collectDelivered = BULK_DEFAULTS.collectDelivered, signal, ...requestOptions } = options;
  const report: BulkReport = { delivered: [], deliveredCount: 0, failed: [], aborted: false };
  const progress: BulkProgress = { read: 0, delivered: 0, failed: 0, inFlight: 0 };
  const source = Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : (items as Iterable<I>)[Symbol.iterator]();
  let reading: Promise<unknown> = Promise.resolve();
  let exhausted = false;

  // One reader at a time: iterators are not required to handle overlapping next() calls.
  const next = (): Promise<{ item: I; index: number } | undefined> => {
    const result = reading.then(async () => {
      if (exhausted) return undefined;
      try {
        const step = await source.next();
        if (step.done) {
          exhausted = true;
          return undefined;
        }
        return { item: step.value, index: progress.read++ };
      } catch (cause) {
        exhausted = true;
        report.sourceError = new Enable3Error(`reading the input failed after ${progress.read} items: ${String(cause)}`, { cause });
        return undefined;
      }
    });
    reading = result;
    return result;
  };

  const recordOutcome = (item: I, outcome: { delivered: BulkDelivered } | { failed: BulkFailure }) => {
    if ("delivered" in outcome) {
      report.deliveredCount++;
      progress.delivered++;
      if (collectDelivered) report.delivered.push(outcome.delivered);
    } else {
      progress.failed++;
      report.failed.push(outcome.failed);
    }
    // a failing callback must not lose items or reject the run
    try {
      onSettled?.({ ...("delivered" in outcome ? outcome.delivered : outcome.failed), item });
    } catch {}
    try {
      onProgress?.({ ...progress });
    } catch {}
  };

  const worker = async () => {
    for (let entry = await next(); entry; entry = await next()) {
      const { item, index } = entry;
      if (signal?.aborted) {
        report.aborted = true;
        recordOutcome(item, { failed: { index, id: safeId(handler, item), error: notSent(signal) } });
        continue;
      }
      let prepared: ReturnType<BulkItemHandler<I>["prepare"]>;
      try {
        prepared = handler.prepare(item, index);
      } catch (error) {
        recordOutcome(item, { failed: { index, id: safeId(handler, item), error: asEnable3Error(error) } });
        continue;
      }
      progress.inFlight++;
      try {
        await prepared.send({ ...requestOptions, signal });
        progress.inFlight--;
        recordOutcome(item, { delivered: { index, id: prepared.id } });
      } catch (error) {
        progress.inFlight--;
        if (signal?.aborted) report.aborted = true;
        recordOutcome(item, { failed: { index, id: prepared.id, error: asEnable3Error(error) } });
      }
    }
  };

  await Promise.all(Array.from({ length: concurrency }, worker));
  report.failed.sort((a, b) => a.index - b.index);
  if (collectDelivered) report.delivered.sort((a, b) => a.index - b.index);
  return report;
}

function notSent(signal: AbortSignal): Enable3AbortError {
  return new Enable3AbortError("not sent: the bulk run was aborted", { attempts: 0, cause: signal.reason });
}

function safeId<I>(handler: BulkItemHandler<I>, item: I): string | undefined {
  try {
    return handler.idOf(item);
  } catch {
    return undefined;
  }
}

function asEnable3Error(error: unknown): Enable3Error {
  return error instanceof Enable3Error ? error : new Enable3Error(`unexpected failure: ${String(error)}`, { cause: error });
}

// The public types of bulk sending (its options, progress and report) and the seam a method's bulk
// run sends through: apart from bulk.ts, which is loaded on first use, so the types cost nothing until then.
import type { Enable3Error } from "../errors/base.js";
import type { CallSettings } from "../transport/contract.js";
import type { RequestOptions } from "./options.js";

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
  /** The run's per-call settings from its request options, checked once for every item. */
  settings(options: RequestOptions | undefined): CallSettings;
  /** Sends a body as one call. */
  send(body: B, settings: CallSettings): Promise<unknown>;
  /** The id an invalid item carried, if any, for the report. */
  idOfInvalid(item: I): string | undefined;
  /** Told how each item settled, for the client's telemetry (the bulk counters). */
  observe(outcome: "delivered" | "failed" | "not_sent"): void;
}

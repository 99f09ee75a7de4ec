// The seam between the outbox and where its records live. The outbox decides (what is due, what is
// retried, what is dead, when to give up); a store only keeps records and hands them out, doing I/O
// and nothing else. fileStore and postgresStore are the two implementations.
import type { SqlClient } from "../postgres/sql-client.js";

/**
 * What a record is sent as: an event (sendEvent), a revenue report (sendRevenue), or one user's
 * segment change (assignSegments / removeSegments).
 */
export type OutboxKind = "event" | "revenue" | "assignSegments" | "removeSegments";

/** A JSON value, as a record's `context` may hold. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Why a delivery failed, as a store keeps it: the error's stable fields, never its stack or cause. */
export interface FailureSummary {
  /** The error's class name, e.g. `"Enable3BadRequestError"`. */
  name: string;
  /** The error's stable code, e.g. `"http_error"`. */
  code: string;
  /** The message, with the API's own reason at its end when it gave one. */
  message: string;
  /** The HTTP status, when the API answered. */
  status?: number | undefined;
}

/**
 * A record's request body as it will be sent: an event's or a revenue report's object, or, for a
 * segment change, the list `[{ userId, segmentIds }]` of its one user.
 */
export type RecordBody = Record<string, unknown> | Record<string, unknown>[];

/** A record to add: the request body as it will be sent, its id fixed inside it. */
export interface NewRecord {
  kind: OutboxKind;
  /** The event `id` or the revenue `requestId` (also inside `body`); a segment change's own id (the API takes none). */
  id: string;
  body: RecordBody;
  context?: JsonValue | undefined;
  /** The W3C traceparent of the span active at enqueue (kept by the store; the delivery's span links to it). */
  traceparent?: string | undefined;
  /** Records with the same key are delivered one at a time, in the order they were added; a record waiting for a retry holds back the later ones. */
  orderingKey?: string | undefined;
}

/** A record a store handed out for delivery. */
export interface StoredRecord extends NewRecord {
  /** The store's own handle on this record (opaque to the outbox). */
  key: string;
  /** Delivery attempts made so far, by any process. */
  attempts: number;
  /** When it was enqueued (or replayed), ms since the epoch. */
  enqueuedAt: number;
  /** The failure of the last attempt, if any. */
  lastError?: FailureSummary | undefined;
}

/** What became of a handed-out record. */
export type Settlement =
  | { key: string; outcome: "delivered" }
  /** Give it up for good: keep it among the dead. */
  | { key: string; outcome: "dead"; attempts: number; error: FailureSummary }
  /** Try again after `delayMs`, measured on the store's clock. */
  | { key: string; outcome: "retry"; attempts: number; delayMs: number; error: FailureSummary }
  /** Not attempted after all (the outbox is closing): hand it out again, as it was. */
  | { key: string; outcome: "released" };

/** A record given up on: what `outbox.dead()` lists. */
export interface DeadRecord {
  /** An event, a revenue report or a segment change. */
  kind: OutboxKind;
  /** The event id or revenue requestId it was (and, replayed, will again be) sent with; a segment change's own id. */
  id: string;
  /** The request body as it was sent (a segment change's: `[{ userId, segmentIds }]`). */
  body: RecordBody;
  /** Attempts made before it was given up. */
  attempts: number;
  /** Why: the last failure, with the API's reason. */
  error: FailureSummary;
  /** When it was enqueued, ms since the epoch. */
  enqueuedAt: number;
  /**
   * When it died (was given up), ms since the epoch: what `deadRetentionMs` and `purge()` measure from.
   * A record that died before this was kept counts as dying when it was enqueued (fileStore) or when the
   * schema was migrated (postgresStore).
   */
  diedAt: number;
  /** What was passed as `context` when it was enqueued. */
  context?: JsonValue | undefined;
}

/** Counts a store can give at no cost (from memory, or a recent reading). */
export interface StoreCounts {
  /** Records not yet delivered nor dead, those handed out included. */
  pending: number;
  dead: number;
  /** Age of the oldest pending record, ms; 0 when none. */
  oldestPendingMs: number;
}

/** An open store, for one outbox. */
export interface StoreSession {
  /** Adds records, durably before it resolves (or, with `tx`, as part of that transaction). */
  add(records: NewRecord[], tx?: SqlClient): Promise<void>;
  /** Up to `limit` records that are due and handed to nobody else; waits until there is one or `signal` fires. */
  take(limit: number, signal: AbortSignal): Promise<StoredRecord[]>;
  /** Records what became of handed-out records. */
  settle(settlements: Settlement[]): Promise<void>;
  /** A point in the store's order: everything added so far is at or before it. */
  watermark(): Promise<unknown>;
  /** Resolves once every record at or before `mark` is delivered or dead. */
  drained(mark: unknown, signal: AbortSignal | undefined): Promise<void>;
  dead(): AsyncIterable<DeadRecord>;
  /** Re-queues dead records (those with these ids, or all) with their ids and bodies; how many. */
  replay(ids: readonly string[] | undefined): Promise<number>;
  counts(): StoreCounts;
  /** Removes (or, with `dryRun`, counts) the dead records that died more than `olderThanMs` ago; how many. */
  purgeDead(olderThanMs: number, dryRun: boolean): Promise<number>;
  /** Leaves where another process can read it (`enable3 outbox status`) how this outbox stands. */
  publishStatus?(status: PublishedStatus): Promise<void>;
  /** Records handed out and not settled are handed out again by the next session. */
  close(): Promise<void>;
}

/** How a store reports trouble it works around in the background (an unreadable record, a failed write). */
export interface StoreEnvironment {
  onError(error: Error): void;
  /** The outbox's longest wait between two attempts: a stored wait found further ahead (the clock was stepped) waits this long at most. */
  maxDelayMs?: number | undefined;
}

/**
 * Where an outbox keeps its records: `fileStore(dir)` or `postgresStore(pool)`. Opened by the
 * outbox, once.
 */
export interface OutboxStore {
  /** A short description for messages, e.g. `fileStore(./enable3-outbox)`. */
  readonly description: string;
  /** @internal Opens the store for one outbox. */
  open(environment: StoreEnvironment): Promise<StoreSession>;
  /** @internal True when `enqueue(…, { tx })` works with this store. */
  readonly transactional: boolean;
  /** @internal Reads the store without opening it for delivery (no lock taken): see inspectOutbox. */
  inspect?(): StoreInspector;
}

/** How a running outbox stands, as it publishes it every few seconds for other processes to read. */
export interface PublishedStatus {
  /** The outbox's state, e.g. `"open"`, `"paused"`, `"closed"`. */
  state: string;
  /** Why it is paused (or failed): the error's message. */
  problem?: string | undefined;
  /** Requests it has in flight now. */
  inFlight: number;
  /** Records it delivered in the last hour (since it started, if that is less). */
  deliveredLastHour: number;
  /** The process id of the outbox that wrote it. */
  pid: number;
  /** The host name of the machine it runs on. */
  host: string;
  /** When this was written, ms since the epoch. */
  updatedAt: number;
}

/** Which dead records to list: every given condition holds. */
export interface DeadFilter {
  /** The error's message (the API's reason) or code contains this, case-insensitively. */
  reason?: string | undefined;
  /** The API's HTTP status. */
  status?: number | undefined;
  /** Died before this time, ms since the epoch. */
  diedBefore?: number | undefined;
  /** Died at or after this time, ms since the epoch. */
  diedAfter?: number | undefined;
}

/** An ordering key (a user, for segment changes) whose later records wait behind its first pending one. */
export interface HeldBackKey {
  /** The ordering key: a segment change's user id, or the `orderingKey` given to enqueue. */
  key: string;
  /** Records of this key waiting behind its first pending one. */
  waiting: number;
  /** How long its first pending record has been pending, ms: how long the others have been held back at most. */
  pendingForMs: number;
}

/** How many held-back keys a report lists: those pending longest. */
export const HELD_BACK_LISTED = 20;

/** What a store says about itself when read from outside (another process may be delivering). */
export interface InspectedCounts {
  pending: number;
  /** Pending records handed out to a worker now (a postgresStore's live leases; a fileStore's running outbox's requests in flight). */
  inFlight: number;
  dead: number;
  oldestPendingMs: number;
  /** The outboxes that published their status: one for a fileStore, a row per worker for a postgresStore. */
  workers: PublishedStatus[];
  /** Pending records of each kind (events, revenue, segment changes). */
  pendingByKind: Partial<Record<OutboxKind, number>>;
  /** The keys held back longest (at most HELD_BACK_LISTED), longest first. */
  heldBack: HeldBackKey[];
}

/** @internal A store read from outside. */
export interface StoreInspector {
  counts(): Promise<InspectedCounts>;
  dead(filter: DeadFilter): AsyncIterable<DeadRecord>;
  close(): Promise<void>;
}

// The figures the operations page shows and its JSON answers: read from the outbox (stats(), history(),
// the first dead records) and the receiver (stats()), at the moment of the request. A store that fails
// to list its dead records is said so in the figures, never hidden.
import type { ReceiverStats } from "../callback/history.js";
import type { DeadRecord, HeldBackKey, OutboxKind } from "../outbox/contract.js";
import type { OutboxMinute } from "../outbox/history.js";
import type { Outbox, OutboxState } from "../outbox/outbox-types.js";

/** The parts of an outbox the page reads and writes through (`createOutbox`'s outbox fits). */
export type OpsOutbox = Pick<Outbox, "stats" | "history" | "dead" | "replay" | "purge" | "report">;
/** The part of a withdrawal receiver the page reads (`createWithdrawalReceiver`'s receiver fits). */
export interface OpsReceiver {
  /** Its deliveries counted in memory: totals, and the last hour per minute. */
  stats(): ReceiverStats;
}

/** How many dead records the page and the JSON list (the oldest the store yields first); `outbox.dead` counts them all. */
export const DEAD_LISTED = 100;

/** A dead record as the page lists it: no body, no context (they may hold what the operator keeps private). */
export interface OpsDeadRecord {
  /** The event id or revenue requestId it was sent with (and, replayed, will be again). */
  id: string;
  /** An event or a revenue report. */
  kind: OutboxKind;
  /** Attempts made before it was given up. */
  attempts: number;
  /** The API's HTTP status, when it answered. */
  status: number | null;
  /** Why it died: the last failure's message, with the API's reason. */
  reason: string;
  /** The failure's stable code, e.g. `"http_error"`. */
  code: string;
  /** ISO 8601. */
  enqueuedAt: string;
  /** ISO 8601; `null` when the store does not record it. */
  diedAt: string | null;
}

/** The outbox's figures. */
export interface OpsOutboxFigures {
  /** Where the outbox stands: `open`, `paused`, `failed`, `opening` or `closed`. */
  state: OutboxState;
  /** Delivery is paused (the API refuses this server's key or IP). */
  paused: boolean;
  /** Why the outbox is paused or failed; `null` when it is not. */
  problem: string | null;
  /** Records waiting to be sent (as `outbox.stats()` reads them). */
  pending: number;
  /** Requests this outbox has in flight now. */
  inFlight: number;
  /** Dead records kept by the store. */
  dead: number;
  /** How long the oldest pending record has waited, ms (0 when none). */
  oldestPendingMs: number;
  /** Delivered by this process in the last hour (from the history). */
  deliveredLastHour: number;
  /** Delivered by this process since the outbox was made. */
  delivered: number;
  /** The last hour, a minute at a time, oldest first. */
  minutes: OutboxMinute[];
  /** The first 100 dead records the store lists (`dead` counts them all). */
  deadRecords: OpsDeadRecord[];
  /** Why the dead records could not be listed; `null` when they were. */
  deadRecordsError: string | null;
  /** Pending records of each kind, as the store reads them (`outbox.report()`). */
  pendingByKind: Partial<Record<OutboxKind, number>>;
  /** Ordering keys (users, for segment changes) whose later records wait behind a pending one, longest first. */
  heldBack: HeldBackKey[];
  /** Why the store could not be read for those two; `null` when it was. */
  reportError: string | null;
}

/** What `GET ?format=json` answers. */
export interface OpsFigures {
  /** When the figures were read, ISO 8601. */
  readAt: string;
  /** Whether POSTs (replay, purge) are allowed. */
  writes: boolean;
  /** The outbox's figures; `null` when the handler was given no outbox. */
  outbox: OpsOutboxFigures | null;
  /** The receiver's deliveries; `null` when the handler was given no receiver. */
  receiver: ReceiverStats | null;
  /** The token a same-origin POST must carry (`token` field or `x-csrf-token` header); only when writes are allowed. */
  csrfToken?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

export async function readFigures(outbox: OpsOutbox | undefined, receiver: OpsReceiver | undefined, writes: boolean): Promise<OpsFigures> {
  return {
    readAt: iso(Date.now()),
    writes,
    outbox: outbox ? await outboxFigures(outbox) : null,
    receiver: receiver ? receiver.stats() : null,
  };
}

async function outboxFigures(outbox: OpsOutbox): Promise<OpsOutboxFigures> {
  const stats = outbox.stats();
  const minutes = outbox.history();
  const listed = await listDead(outbox);
  const ordering = await outbox.report().then(
    (r) => ({ pendingByKind: r.pendingByKind, heldBack: r.heldBack, reportError: null }),
    (error: unknown) => ({ pendingByKind: {}, heldBack: [], reportError: error instanceof Error ? error.message : String(error) }),
  );
  return {
    state: stats.state,
    paused: stats.state === "paused",
    problem: stats.problem ? stats.problem.message : null,
    pending: stats.pending,
    inFlight: stats.inFlight,
    dead: stats.dead,
    oldestPendingMs: Math.round(stats.oldestPendingMs),
    deliveredLastHour: minutes.reduce((sum, minute) => sum + minute.delivered, 0),
    delivered: stats.delivered,
    minutes,
    ...listed,
    ...ordering,
  };
}

async function listDead(outbox: OpsOutbox): Promise<Pick<OpsOutboxFigures, "deadRecords" | "deadRecordsError">> {
  const deadRecords: OpsDeadRecord[] = [];
  try {
    for await (const record of outbox.dead()) {
      deadRecords.push(deadRow(record));
      if (deadRecords.length >= DEAD_LISTED) break;
    }
    return { deadRecords, deadRecordsError: null };
  } catch (error) {
    return { deadRecords, deadRecordsError: error instanceof Error ? error.message : String(error) };
  }
}

function deadRow(record: DeadRecord): OpsDeadRecord {
  // diedAt is recorded by stores that keep dead records for a retention period
  const diedAt = (record as DeadRecord & { diedAt?: unknown }).diedAt;
  return {
    id: record.id,
    kind: record.kind,
    attempts: record.attempts,
    status: record.error.status ?? null,
    reason: record.error.message,
    code: record.error.code,
    enqueuedAt: iso(record.enqueuedAt),
    diedAt: typeof diedAt === "number" ? iso(diedAt) : null,
  };
}

// The receiver's deliveries counted in memory: totals since it was made, and the last hour per
// minute, by outcome, refusal reason and failure reason. Fed by the receiver as it answers each
// delivery; read by receiver.stats() and the operations page.
import { createMinuteRing } from "../internal/minute-ring.js";
import type { FailureReason, ReceiverEvent, RefusalReason } from "./events.js";

/** Deliveries counted by outcome and by reason. */
export interface ReceiverCounts {
  /** Paid (onWithdrawal ran) and recorded: answered 200. */
  processed: number;
  /** Deliveries of a transaction processed before or still in flight elsewhere. */
  duplicate: number;
  /** Refused with a 4xx before anything ran. */
  refused: number;
  /** Answered 5xx: the sender retries. */
  failed: number;
  /** The refusals by reason (only reasons seen appear). */
  refusals: Partial<Record<RefusalReason, number>>;
  /** The failures by reason (only reasons seen appear). */
  failures: Partial<Record<FailureReason, number>>;
}

/** One minute of a receiver's deliveries. */
export interface ReceiverMinute extends ReceiverCounts {
  /** When the minute starts, ms since the epoch. */
  at: number;
}

/** What {@link WithdrawalReceiver.stats} reads: counted in memory by this process since the receiver was made. */
export interface ReceiverStats {
  /** Every delivery since the receiver was made. */
  total: ReceiverCounts;
  /** The last hour, a minute at a time, oldest first (60 entries, quiet minutes included). */
  minutes: ReceiverMinute[];
}

const emptyCounts = (): ReceiverCounts => ({ processed: 0, duplicate: 0, refused: 0, failed: 0, refusals: {}, failures: {} });

function add(counts: ReceiverCounts, event: ReceiverEvent): void {
  counts[event.outcome]++;
  if (event.outcome === "refused") counts.refusals[event.reason] = (counts.refusals[event.reason] ?? 0) + 1;
  if (event.outcome === "failed") counts.failures[event.reason] = (counts.failures[event.reason] ?? 0) + 1;
}

/** Totals and an hour of minutes; `heard` counts one delivery. */
export function createReceiverHistory(now?: () => number) {
  const total = emptyCounts();
  const ring = createMinuteRing(emptyCounts, now);
  return {
    heard(event: ReceiverEvent): void {
      add(total, event);
      add(ring.current(), event);
    },
    stats(): ReceiverStats {
      return { total: structuredClone(total), minutes: ring.list() };
    },
  };
}

// What became of delivered records, written to the store in batches: one write per turn of the event
// loop however many records settled in it, and only then are the hooks told (what they hear is
// already recorded). Nothing is made per record but its settlement.
import { waitFor } from "../internal/timers.js";
import type { Settlement, StoreSession } from "./contract.js";
import { asOutboxError } from "./errors.js";

/** How long the writer waits after the store failed to record a batch before it tries again. */
export const STORE_RETRY_MS = 1_000;

export interface SettlementWriter {
  /** Queues a settlement; `after` (if any) runs once the store recorded it. */
  add(settlement: Settlement, after: (() => void) | undefined): void;
  /** Resolves once everything queued so far is recorded, or given up on (see `givingUp`). */
  written(): Promise<void>;
}

/**
 * A writer to `session`. A failed write is told to `onError` and tried again, until `givingUp()` says
 * the outbox is closing in a hurry: what was not recorded is then sent again next time, with the same ids.
 */
export function createSettlementWriter(session: StoreSession, onError: (error: Error) => void, givingUp: () => boolean): SettlementWriter {
  let settlements: Settlement[] = [];
  let afters: ((() => void) | undefined)[] = [];
  let writing: Promise<void> = Promise.resolve();
  const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

  const write = async (): Promise<void> => {
    const batch = settlements;
    const told = afters;
    settlements = [];
    afters = [];
    for (;;) {
      try {
        await session.settle(batch);
        break;
      } catch (error) {
        onError(asOutboxError(error, "write_failed", "cannot record what became of delivered records (tried again)"));
        if (givingUp()) return;
        await waitFor(undefined, undefined, STORE_RETRY_MS);
      }
    }
    for (const after of told) after?.();
  };

  return {
    add(settlement, after) {
      settlements.push(settlement);
      afters.push(after);
      if (settlements.length === 1) writing = writing.then(nextTurn).then(write);
    },
    written: () => writing,
  };
}

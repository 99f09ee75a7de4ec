// The delivery loop's reader: records taken from the store ahead of the sender, into the delivery
// queue, so that no request slot waits on the store; one take per half of the read-ahead spent.
import { waitFor } from "../internal/timers.js";
import type { Settlement, StoredRecord } from "./contract.js";
import type { DeliveryOptions, DeliveryState } from "./delivery.js";
import type { DeliveryQueue } from "./delivery-queue.js";
import { asOutboxError } from "./errors.js";
import { STORE_RETRY_MS } from "./settlement-writer.js";

/**
 * Takes records from the store ahead of the sender, enough that no request slot waits on the store, in
 * takes big enough to be cheap; a failed take is told to onError and asked again.
 */
export function startReading(o: DeliveryOptions, state: DeliveryState, queue: DeliveryQueue, settle: (settlement: Settlement) => void) {
  const stopTaking = new AbortController();
  const readAhead = Math.max(128, o.concurrency * 8);
  let freed: (() => void) | undefined;
  const pump = async () => {
    while (!state.stopping) {
      const room = readAhead - state.held;
      if (room < readAhead / 2) {
        await new Promise<void>((resolve) => (freed = resolve));
        continue;
      }
      let records: StoredRecord[];
      try {
        records = await o.session.take(room, stopTaking.signal);
      } catch (error) {
        if (stopTaking.signal.aborted) break;
        o.hook("onError", asOutboxError(error, "read_failed", "cannot take records to deliver (asked again)"));
        await waitFor(undefined, stopTaking.signal, STORE_RETRY_MS);
        continue;
      }
      state.held += records.length;
      if (!state.stopping) queue.push(records);
      else for (const record of records) settle({ key: record.key, outcome: "released" });
    }
  };
  const pumping = pump().catch((error) => o.hook("onError", error as Error));
  return {
    /** Records were done with: room to read again. */
    freed: () => freed?.(),
    /** Stops reading (`state.stopping` is set); resolves once the last take returned. */
    stop(): Promise<unknown> {
      stopTaking.abort();
      freed?.();
      return pumping;
    },
  };
}

// The records taken from the store and not yet sent, handed to the sender's free request slots one at
// a time, in the order taken, both kinds alike. While the API refuses this server (pause.ts) none goes
// but the probe. Read by index and compacted in batches: no shift per record.
import { deferred } from "../internal/timers.js";
import type { StoredRecord } from "./contract.js";
import type { PauseGate } from "./pause.js";

/** Records handed out before the array is compacted (and whenever more than half of it is spent). */
const COMPACT_AT = 1_024;

export interface DeliveryQueue {
  /** Records queued and not handed out. */
  readonly length: number;
  /** Adds records taken from the store; free slots waiting for one go on. */
  push(records: readonly StoredRecord[]): void;
  /** The next record to send, now or once there is one (and the gate lets it go); undefined once stopped. */
  next(): StoredRecord | undefined | Promise<StoredRecord | undefined>;
  /** Whether `record` went as the paused outbox's probe (asked once per record, when it settled). */
  wasProbe(record: StoredRecord): boolean;
  /** Slots waiting for a record look again (the gate opened, or a probe is due). */
  wake(): void;
  /** Hands out nothing more; resolves the waiting slots to undefined and returns the records never handed out. */
  stop(): StoredRecord[];
}

export function createDeliveryQueue(gate: PauseGate): DeliveryQueue {
  let records: (StoredRecord | undefined)[] = [];
  let head = 0;
  let stopped = false;
  let probe: StoredRecord | undefined;
  // one promise that every waiting slot shares, made only when one waits
  let arrival: ReturnType<typeof deferred<void>> | undefined;

  const wake = () => {
    const waiting = arrival;
    arrival = undefined;
    waiting?.resolve();
  };
  const waitForArrival = (): Promise<void> => {
    arrival ??= deferred<void>();
    return arrival.promise;
  };
  const take = (): StoredRecord => {
    const record = records[head]!;
    records[head++] = undefined;
    if (head === records.length) {
      records = [];
      head = 0;
    } else if (head >= COMPACT_AT && head * 2 >= records.length) {
      records = records.slice(head);
      head = 0;
    }
    return record;
  };
  const next = (): StoredRecord | undefined | Promise<StoredRecord | undefined> => {
    if (stopped) return undefined;
    if (head < records.length && !gate.blocked()) {
      const admitted = gate.admit();
      if (admitted !== "wait") {
        const record = take();
        if (admitted === "probe") probe = record;
        return record;
      }
    }
    return waitForArrival().then(next);
  };

  return {
    get length() {
      return records.length - head;
    },
    push(taken) {
      if (taken.length === 0) return;
      for (const record of taken) records.push(record);
      wake();
    },
    next,
    wasProbe(record) {
      if (probe !== record) return false;
      probe = undefined;
      return true;
    },
    wake,
    stop() {
      stopped = true;
      const left = records.slice(head) as StoredRecord[];
      records = [];
      head = 0;
      wake();
      return left;
    },
  };
}

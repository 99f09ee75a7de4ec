// Counts per wall-clock minute, kept in memory for the last hour: a fixed ring of 60 slots, so memory
// stays flat however busy the process is. Used by the outbox's and the receiver's history.

/** One minute's slot: when it starts (ms since the epoch) and its figures. */
export type Minute<T> = T & { at: number };

const MINUTE_MS = 60_000;
/** How many minutes are kept. */
export const HISTORY_MINUTES = 60;

/**
 * A ring of `HISTORY_MINUTES` minute slots, each made by `empty()`; `current()` is this minute's slot
 * (older slots are cleared as the clock passes them), `list()` every minute of the last hour, oldest
 * first, the empty ones included.
 */
export function createMinuteRing<T extends object>(empty: () => T, now: () => number = Date.now) {
  const slots: (Minute<T> | undefined)[] = new Array(HISTORY_MINUTES);
  const slotOf = (at: number) => slots[(at / MINUTE_MS) % HISTORY_MINUTES];
  return {
    current(): Minute<T> {
      const at = Math.floor(now() / MINUTE_MS) * MINUTE_MS;
      const index = (at / MINUTE_MS) % HISTORY_MINUTES;
      let slot = slots[index];
      if (slot?.at !== at) {
        slot = { ...empty(), at };
        slots[index] = slot;
      }
      return slot;
    },
    list(): Minute<T>[] {
      const last = Math.floor(now() / MINUTE_MS) * MINUTE_MS;
      const out: Minute<T>[] = [];
      for (let at = last - (HISTORY_MINUTES - 1) * MINUTE_MS; at <= last; at += MINUTE_MS) {
        const slot = slotOf(at);
        out.push(slot?.at === at ? structuredClone(slot) : { ...empty(), at });
      }
      return out;
    },
  };
}

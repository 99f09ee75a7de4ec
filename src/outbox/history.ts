// The outbox's last hour, per minute, in memory: what was delivered, retried and given up on, and the
// oldest pending record's age as seen that minute. Fed by the delivery loop (delivery.ts) as each outcome
// is recorded; read by outbox.history() and the operations page.
import { createMinuteRing, type Minute } from "../internal/minute-ring.js";

/** One minute of an outbox's history, as {@link Outbox.history} lists it. */
export interface OutboxMinute {
  /** When the minute starts, ms since the epoch. */
  at: number;
  /** Records this outbox delivered in that minute. */
  delivered: number;
  /** Failed attempts that will be tried again. */
  retried: number;
  /** Records given up on (made dead). */
  dead: number;
  /**
   * The oldest pending record's age, ms: the largest seen that minute (it is looked at with each
   * outcome and each read of the history); `null` when the outbox was not looked at that minute.
   */
  oldestPendingMs: number | null;
}

const OUTCOME = { onDelivered: "delivered", onRetry: "retried", onDead: "dead" } as const;

/** An hour of minutes; `heard` counts an outcome, `sample` the oldest pending age now. */
export function createOutboxHistory(oldestPendingMs: () => number | undefined, now?: () => number) {
  const ring = createMinuteRing<Omit<OutboxMinute, "at">>(() => ({ delivered: 0, retried: 0, dead: 0, oldestPendingMs: null }), now);
  const sample = (minute: Minute<Omit<OutboxMinute, "at">>) => {
    const age = oldestPendingMs();
    if (age !== undefined) minute.oldestPendingMs = Math.max(minute.oldestPendingMs ?? 0, age);
  };
  return {
    heard(name: "onDelivered" | "onRetry" | "onDead"): void {
      const minute = ring.current();
      minute[OUTCOME[name]]++;
      sample(minute);
    },
    /** Records delivered in the last hour's minutes, this one included. */
    deliveredLastHour(): number {
      return ring.list().reduce((sum, minute) => sum + minute.delivered, 0);
    },
    list(): OutboxMinute[] {
      sample(ring.current());
      return ring.list();
    },
  };
}

// How old a record is, for retryForMs, judged so that a step of the wall clock either way kills
// nothing early. The first time this process sees a record, its age is the smaller of the wall
// clock's answer and the least time its attempts can have taken (policy.shortestWaits); from then on
// it grows on the monotonic clock. A record enqueued and retried within one process is thus judged
// exactly; one found after a restart at most as old as its attempts prove (it may live longer, never
// shorter).
import type { StoredRecord } from "./contract.js";
import { type RetryPolicy, shortestWaits } from "./policy.js";

/** Records remembered at once, at most (forgotten ones are judged again as if first seen: never older). */
const REMEMBERED = 50_000;

export function createRecordAges(policy: RetryPolicy) {
  const seen = new Map<string, { ageMs: number; at: number }>();
  return {
    /** The record's age for judging, ms. */
    ageOf(record: StoredRecord): number {
      let first = seen.get(record.key);
      if (!first) {
        const wall = Math.max(0, Date.now() - record.enqueuedAt);
        first = { ageMs: Math.min(wall, shortestWaits(record.attempts, policy)), at: performance.now() };
        if (seen.size >= REMEMBERED) seen.delete(seen.keys().next().value as string);
        seen.set(record.key, first);
      }
      return first.ageMs + (performance.now() - first.at);
    },
    /** The record is delivered or dead: nothing to judge any more. */
    forget(record: StoredRecord): void {
      seen.delete(record.key);
    },
  };
}

// The fileStore's waits: a promise renewed on every change of the journal, and a wait for it, a
// signal or a time, whichever comes first.

import { MAX_TIMER_MS } from "../../internal/validate.js";

export function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/**
 * Waits for `change`, the signal, or `ms` milliseconds, whichever comes first. A duration, not a
 * wall-clock time: a step of the clock neither stretches nor cuts the wait.
 */
export function waitFor(change: Promise<void>, signal: AbortSignal | undefined, ms: number | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = ms === undefined ? undefined : setTimeout(done, Math.min(Math.max(0, ms), MAX_TIMER_MS));
    signal?.addEventListener("abort", done, { once: true });
    change.then(done);
    function done() {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}

// The package's waits, each with one stated abort behaviour, so no wing writes its own:
// - `sleep` rejects with the signal's reason as soon as it aborts: for a caller that must stop;
// - `waitFor` resolves on whichever comes first (a change, the signal, the time) and never rejects:
//   for a loop that looks again after every wake-up and checks its own signal;
// - `withTimeout` races a promise against a time and says which won.
// Every wait is a duration (setTimeout), never a wall-clock time: a step of the clock neither stretches
// nor cuts it. Each leaves no timer and no listener behind.

import { whenAborted } from "./abort.js";
import { MAX_TIMER_MS } from "./validate.js";

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      stopWaiting?.();
      resolve();
    }, clampMs(ms));
    const stopWaiting =
      signal === undefined
        ? undefined
        : whenAborted(signal, () => {
            clearTimeout(timer);
            reject(signal.reason);
          });
  });
}

/**
 * Waits for `change`, the signal, or `ms` milliseconds (none: no time limit), whichever comes first.
 * Never rejects: the caller checks its signal after it.
 */
export function waitFor(change: Promise<unknown> | undefined, signal: AbortSignal | undefined, ms: number | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = ms === undefined ? undefined : setTimeout(done, clampMs(ms));
    const stopWaiting = signal === undefined ? undefined : whenAborted(signal, done);
    change?.then(done, done);
    function done() {
      if (timer) clearTimeout(timer);
      stopWaiting?.();
      resolve();
    }
  });
}

/** `promise`'s value, or `timedOut` if `ms` passes first (the promise goes on; its rejection is dropped). */
export async function withTimeout<T, U>(promise: Promise<T>, ms: number, timedOut: U): Promise<T | U> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<U>((resolve) => {
    timer = setTimeout(() => resolve(timedOut), clampMs(ms));
  });
  promise.catch(() => {});
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A promise settled from outside; its rejection is never reported as unhandled. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/** setTimeout fires at once past 2^31-1 ms; a longer wait is cut to that (24.8 days). */
function clampMs(ms: number): number {
  return Math.min(Math.max(0, ms), MAX_TIMER_MS);
}

// Waiting on a caller's AbortSignal: one "abort" listener per signal, however many calls wait on it.
// A signal shared by many concurrent calls (a request handler's, a shutdown signal) would otherwise
// collect a listener per attempt, and Node warns past ten (MaxListenersExceededWarning).

const waiting = new WeakMap<AbortSignal, Set<() => void>>();

/** Calls `callback` when `signal` aborts; the function returned stops waiting. */
export function whenAborted(signal: AbortSignal, callback: () => void): () => void {
  let callbacks = waiting.get(signal);
  if (callbacks === undefined) {
    const set = new Set<() => void>();
    callbacks = set;
    waiting.set(signal, set);
    signal.addEventListener(
      "abort",
      () => {
        waiting.delete(signal);
        for (const waiter of set) waiter();
      },
      { once: true },
    );
  }
  const set = callbacks;
  set.add(callback);
  return () => {
    set.delete(callback);
  };
}

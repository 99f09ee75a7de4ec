// The fileStore's waits: a promise renewed on every change of the journal, and a wait for it, a
// signal or a time, whichever comes first.

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

/** Waits for `change`, the signal, or the time `until` (ms since the epoch), whichever comes first. */
export function waitFor(change: Promise<void>, signal: AbortSignal | undefined, until: number | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = until === undefined ? undefined : setTimeout(done, Math.max(0, until - Date.now()));
    signal?.addEventListener("abort", done, { once: true });
    change.then(done);
    function done() {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}

// Running an operator's hook: whatever it does, throw or return a promise that rejects, the SDK goes on
// as if it had returned, and the failure is told once per hook (a broken metrics callback must neither
// fail a payment nor flood a log). The client's, the outbox's and the receiver's hooks all run through it.

/** Runs `hook(...args)`; a throw or a rejected promise goes to `failed`, never further. */
export function runHook(hook: (...args: never[]) => unknown, args: readonly unknown[], failed: (error: unknown) => void): void {
  try {
    const result = (hook as (...a: readonly unknown[]) => unknown)(...args);
    if (result !== null && typeof result === "object" && typeof (result as PromiseLike<unknown>).then === "function") {
      (result as PromiseLike<unknown>).then(undefined, failed);
    }
  } catch (error) {
    failed(error);
  }
}

/** `report`, called at most once per hook name. */
export function oncePerHook(report: (hook: string, error: unknown) => void): (hook: string, error: unknown) => void {
  const reported = new Set<string>();
  return (hook, error) => {
    if (reported.has(hook)) return;
    reported.add(hook);
    report(hook, error);
  };
}

// Running an operator's hook: whatever it does, throw or return a promise that rejects, the SDK goes on
// as if it had returned, and the failure is told once per hook (a broken metrics callback must neither
// fail a payment nor flood a log). The client's, the outbox's and the receiver's hooks all run through
// it, and their failures are told here, in one wording, through one choice of sink.

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

/**
 * Each hook wrapped so that a throw or a rejected promise is swallowed and told to `report`
 * (hookFailureReporter below, which tells each hook's first failure only).
 */
export function guardHooks<H extends object>(hooks: H, report: (name: string, error: unknown) => void): H {
  const guarded: Record<string, unknown> = {};
  for (const [name, hook] of Object.entries(hooks)) {
    if (typeof hook !== "function") continue;
    guarded[name] = (...args: unknown[]) => runHook(hook, args, (error) => report(name, error));
  }
  return guarded as H;
}

/** The component whose hook threw, as the line names it. */
export type HookOwner = "client" | "outbox" | "withdrawal receiver";

/**
 * A line that writes the `[enable3] ` prefix itself: the component's logger at warn (the client's log,
 * the receiver's logger), or undefined when it has none.
 */
export type WarnLine = ((line: string) => void) | undefined;

/** The one wording of a hook's failure. */
export function hookFailureLine(owner: HookOwner, hook: string, error: unknown): string {
  const what = error instanceof Error ? `${error.name}: ${error.message}` : typeof error;
  return `the ${owner}'s ${hook} hook threw (${what}); the ${owner} went on, and later throws of this hook are not reported`;
}

/**
 * What a component calls when one of its hooks failed: told once per hook name, through the component's
 * logger when it has one, else as a process warning (Node), else on the console. Never throws.
 * @example const hookFailed = hookFailureReporter("outbox", undefined); runHook(hook, [info], (e) => hookFailed("onDead", e));
 */
export function hookFailureReporter(owner: HookOwner, warn: WarnLine): (hook: string, error: unknown) => void {
  const reported = new Set<string>();
  return (hook, error) => {
    if (reported.has(hook)) return;
    reported.add(hook);
    const line = hookFailureLine(owner, hook, error);
    try {
      if (warn) return warn(line);
      const emitWarning = (globalThis as { process?: { emitWarning?: (message: string) => void } }).process?.emitWarning;
      if (typeof emitWarning === "function") emitWarning(`[enable3] ${line}`);
      else globalThis.console?.warn(`[enable3] ${line}`);
    } catch {
      // a failing log sink must never change what the hook's caller does
    }
  };
}

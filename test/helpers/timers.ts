// Which timers are still armed: setTimeout and clearTimeout spied on from now until the test ends.
import { onTestFinished, vi } from "vitest";

/**
 * The timers created from now on that have neither fired nor been cleared. `only` picks which count by
 * their delay (the fetch transport's undici arms short socket timers of its own).
 */
export function trackTimers(only: (ms: number | undefined) => boolean = () => true): Set<unknown> {
  const live = new Set<unknown>();
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  vi.spyOn(globalThis, "setTimeout").mockImplementation(((fn: () => void, ms?: number) => {
    const handle: NodeJS.Timeout = realSet(() => {
      live.delete(handle);
      fn();
    }, ms);
    if (only(ms)) live.add(handle);
    return handle;
  }) as typeof setTimeout);
  vi.spyOn(globalThis, "clearTimeout").mockImplementation(((handle?: NodeJS.Timeout) => {
    live.delete(handle);
    realClear(handle);
  }) as typeof clearTimeout);
  onTestFinished(() => {
    vi.restoreAllMocks();
  });
  return live;
}

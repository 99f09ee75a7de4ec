import { sleep } from "../internal/timers.js";

// Calls that arrive together share one statement: the items of every call made within `windowMs`
// (0: the same turn of the event loop) go to one `run`, whose outcome each call gets.

export function createBatcher<T>(windowMs: number, run: (items: T[]) => Promise<unknown>): (items: T[]) => Promise<void> {
  let open: { items: T[]; done: Promise<void> } | undefined;
  return (items) => {
    if (!open) {
      const batch = { items: [] as T[], done: Promise.resolve() };
      const wait = windowMs > 0 ? sleep(windowMs) : Promise.resolve();
      batch.done = wait.then(async () => {
        open = undefined;
        await run(batch.items);
      });
      open = batch;
    }
    open.items.push(...items);
    return open.done;
  };
}

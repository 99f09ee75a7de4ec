// An idle client's error must not crash the operator's process. pg re-emits the error of a client
// resting in its pool (the server restarted, a failover, an idle-session timeout) as the pool's
// "error" event, and an EventEmitter's "error" with no listener throws: one PostgreSQL restart would
// kill every process whose pool nobody listens to. Each postgresStore listens on its pool, once per
// pool whatever the number of stores on it, and reports to each store's own reporter.

/** Any pool that emits events (pg's does); a pool that does not has no such error to take. */
interface EmittingPool {
  on?(event: "error", listener: (error: Error) => void): unknown;
}

/** The reporters told of each pool's idle-client errors, by pool. */
const reporters = new WeakMap<object, Set<(error: Error) => void>>();

/**
 * Listens for idle-client errors on `pool` (one listener per pool) and tells `report` of each one; with
 * no reporter (none given, or all stopped) a line goes to console.error. Returns a function that stops
 * telling `report` (the listener stays: the pool can still not crash the process).
 */
export function watchPoolErrors(pool: object, report?: (error: Error) => void): () => void {
  const emitting = pool as EmittingPool;
  if (typeof emitting.on !== "function") return () => {};
  let told = reporters.get(pool);
  if (told === undefined) {
    const set = new Set<(error: Error) => void>();
    told = set;
    reporters.set(pool, set);
    emitting.on("error", (error) => {
      if (set.size === 0) console.error(idleClientErrorLine(error));
      for (const tell of set) {
        try {
          tell(error);
        } catch {
          // a reporter that throws must not turn the error it reports into a crash
        }
      }
    });
  }
  if (report === undefined) return () => {};
  const set = told;
  // a function of its own: the same reporter given twice is told twice, and each stop removes one
  const tell = (error: Error) => report(error);
  set.add(tell);
  return () => void set.delete(tell);
}

/** The line a store writes for an idle client's error: what happened, and that nothing is lost. */
export function idleClientErrorLine(error: Error): string {
  return `[enable3] an idle connection of a postgresStore's pg.Pool failed (${error.message}): the server restarted or closed it; the pool opens a new one when needed, and nothing was lost`;
}

// The stops of an import: Ctrl-C once lets the requests in flight finish, again (or SIGTERM, SIGHUP)
// aborts them; a terminal that went away aborts too. The first signal is kept for the exit code.

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** The exit code of a run ended by a signal: 128 + its number, as a shell reports it. */
export const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGHUP: 129, SIGTERM: 143 };

export interface Stoppable {
  readonly stopping: "finish" | "abort" | undefined;
  signalled: NodeJS.Signals | undefined;
  readonly output: { onHangup(f: () => void): void };
  stop(how: "finish" | "abort", why: string): void;
}

/** Listens for the stops until the returned releaser is called. */
export function watchStops(run: Stoppable): () => void {
  const onSignal = (name: NodeJS.Signals) => {
    run.signalled ??= name;
    run.stop(name === "SIGINT" && !run.stopping ? "finish" : "abort", name);
  };
  run.output.onHangup(() => run.stop("abort", "output"));
  for (const name of SIGNALS) process.on(name, onSignal);
  return () => {
    for (const name of SIGNALS) process.off(name, onSignal);
  };
}

// Output that outlives its terminal: writes that never crash a long run, and an end by SIGHUP when
// the terminal went away (the import uses both).

/**
 * Writes to stdout and stderr that never crash the run. A write that fails is not retried and nothing
 * more goes to that stream; a terminal that went away (EIO, ENXIO) is handed to `onHangup`, once.
 */
export function guardOutput() {
  let hungUp = false;
  let onHangup = () => {};
  const dead = new Set<NodeJS.WriteStream>();
  const fail = (stream: NodeJS.WriteStream) => (error: unknown) => {
    dead.add(stream);
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (hungUp || (code !== "EIO" && code !== "ENXIO")) return;
    hungUp = true;
    onHangup();
  };
  process.stdout.on("error", fail(process.stdout));
  process.stderr.on("error", fail(process.stderr));
  const safe = (stream: NodeJS.WriteStream) => (text: string) => {
    if (dead.has(stream)) return true;
    try {
      return stream.write(text);
    } catch (error) {
      fail(stream)(error);
      return true;
    }
  };
  const stderr = new Proxy(process.stderr, { get: (target, key) => (key === "write" ? safe(target) : Reflect.get(target, key)) });
  const out = { write: safe(process.stdout) } as unknown as NodeJS.WritableStream;
  return {
    stderr,
    out,
    err: safe(process.stderr),
    onHangup: (f: () => void) => (onHangup = f),
    /** True once the terminal went away. */
    hungUp: () => hungUp,
  };
}

/**
 * Ends the process by the signal (no handler left), as a shell expects of a hangup: status 129. Also
 * when the terminal went away without one: Node 20 would otherwise abort (134) at exit, failing to
 * reset a terminal that is gone.
 */
export function reraise(signal: NodeJS.Signals): void {
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
}

// One teardown style for every server, process and browser a test starts: the helper that starts it
// registers the stop the moment it exists (as ky's createHttpTestServer(t) does). Inside a test it
// stops when that test finishes, pass, fail or timeout; in a hook, when the file ends (setup/teardown.ts).
import { onTestFinished } from "vitest";

const open = new Set<() => Promise<void>>();

/** Registers `stop`; returns it wrapped so that calling it early is safe and it runs once. */
export function registerTeardown(stop: () => unknown): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  const once = () =>
    (stopping ??= Promise.resolve()
      .then(stop)
      .then(() => void open.delete(once)));
  open.add(once);
  try {
    onTestFinished(() => once());
  } catch {
    // not inside a test (a beforeAll): the file's afterAll in setup/teardown.ts stops it
  }
  return once;
}

/** Stops everything still open; a failing stop does not keep the others running. */
export async function stopEverything(): Promise<void> {
  const results = await Promise.allSettled([...open].map((stop) => stop()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
}

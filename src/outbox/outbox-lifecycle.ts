// One outbox's state and its life: the store opened (and delivery with its upkeep started) at
// creation, the session every method waits for, flush, close, and the stats read from all of them.
import type { Enable3Client } from "../client/create-client.js";
import { Enable3AbortError, Enable3TimeoutError } from "../errors/network.js";
import type { OutboxStore, StoreSession } from "./contract.js";
import { type Delivery, startDelivery } from "./delivery.js";
import { asOutboxError, Enable3OutboxError } from "./errors.js";
import type { createOutboxHistory } from "./history.js";
import type { createHookCaller } from "./hooks.js";
import { closeTimeoutMs, flushOptions, type resolveOutboxOptions } from "./outbox-options.js";
import type { CloseOptions, FlushOptions, OutboxState, OutboxStats } from "./outbox-types.js";
import { startUpkeep, type Upkeep } from "./upkeep.js";

/** What createOutbox's methods share. */
export interface OutboxCore {
  readonly client: Enable3Client;
  readonly store: OutboxStore;
  readonly settings: ReturnType<typeof resolveOutboxOptions>;
  readonly history: ReturnType<typeof createOutboxHistory>;
  readonly hook: ReturnType<typeof createHookCaller>;
  /** The store's opening, from creation on: its session, or the open failure (told to onError already). */
  readonly opening: Promise<StoreSession>;
  opened?: StoreSession | undefined;
  openFailure?: Enable3OutboxError | undefined;
  delivery?: Delivery | undefined;
  upkeep?: Upkeep | undefined;
  closed?: Promise<void> | undefined;
  /** Enqueues under way hold a place each: a burst of concurrent calls cannot all pass one count. */
  reserved: number;
  /** Stops the app's metric reader reading stats(), at close. */
  stopMetrics?: (() => void) | undefined;
}

/** Opens the store, then starts delivery and its upkeep (unless `deliver: false` or closed meanwhile). */
export function openStore(core: Omit<OutboxCore, "opening">): Promise<StoreSession> {
  const { store, settings, hook, history } = core;
  const { o, policy } = settings;
  const opening = store.open({ onError: (error) => hook("onError", error), maxDelayMs: policy.maxDelayMs }).then(
    (session) => {
      core.opened = session;
      if (o.deliver !== false && !core.closed) {
        core.delivery = startDelivery({
          client: core.client,
          session,
          concurrency: settings.concurrency,
          policy,
          hook,
          hooks: o,
          heard: history.heard,
          deadLetter: o.takeDead ?? o.deadLetter,
        });
        core.upkeep = startUpkeep(session, {
          deadRetentionMs: settings.deadRetentionMs,
          stats: () => statsOf(core),
          deliveredLastHour: history.deliveredLastHour,
          onError: (error) => hook("onError", error),
        });
      }
      return session;
    },
    (error) => {
      // told at once, not at the first enqueue: an app that never enqueues would never hear it
      core.openFailure = asOutboxError(error, "open_failed", `cannot open ${store.description}`);
      hook("onError", core.openFailure);
      throw core.openFailure;
    },
  );
  opening.catch(() => {}); // told to onError, and to each caller
  return opening;
}

/** The open session, once the store is open; refused once the outbox is closed. */
export async function sessionOf(core: OutboxCore): Promise<StoreSession> {
  if (core.closed) throw new Enable3OutboxError("closed", `the outbox on ${core.store.description} is closed`);
  return core.opening;
}

export async function flush(core: OutboxCore, options: FlushOptions | undefined): Promise<void> {
  const { timeoutMs, signal: given } = flushOptions(options);
  const s = await sessionOf(core);
  if (given?.aborted) throw new Enable3AbortError("flush aborted", { cause: given.reason });
  const timeout = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
  const signal = timeout && given ? AbortSignal.any([given, timeout]) : (timeout ?? given);
  const mark = await s.watermark();
  await s.drained(mark, signal).catch((error) => {
    if (given?.aborted) throw new Enable3AbortError("flush aborted before everything was delivered", { cause: given.reason });
    if (timeout?.aborted)
      throw new Enable3TimeoutError(
        `flush gave up after ${timeoutMs} ms: ${statsOf(core).pending} records are still pending (they stay queued)`,
      );
    throw error;
  });
}

export function close(core: OutboxCore, options: CloseOptions | undefined): Promise<void> {
  const timeoutMs = closeTimeoutMs(options);
  if (core.closed && timeoutMs === 0) core.delivery?.hurry(); // closing again, in a hurry: abort what is in flight
  core.closed ??= core.opening.then(
    async (s) => {
      core.stopMetrics?.();
      await core.delivery?.stop(timeoutMs);
      await core.upkeep?.stop();
      await s.close();
    },
    () => {},
  );
  return core.closed;
}

export function statsOf(core: Omit<OutboxCore, "opening">): OutboxStats {
  const { delivery, opened, closed, openFailure } = core;
  const inFlight = delivery?.inFlight() ?? 0;
  const counts = opened?.counts() ?? { pending: 0, dead: 0, oldestPendingMs: 0 };
  const paused = closed ? undefined : delivery?.paused();
  const state: OutboxState = closed ? "closed" : openFailure ? "failed" : paused ? "paused" : opened ? "open" : "opening";
  const problem = closed ? undefined : (openFailure ?? paused);
  return {
    state,
    ...(problem ? { problem } : {}),
    pending: Math.max(0, counts.pending - inFlight),
    inFlight,
    dead: counts.dead,
    oldestPendingMs: counts.oldestPendingMs,
    delivered: delivery?.delivered() ?? 0,
  };
}

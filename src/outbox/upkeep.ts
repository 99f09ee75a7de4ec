// What a delivering outbox does besides delivering, on unref'd timers that never keep a process
// alive: dead records past `deadRetentionMs` are purged (the first purge at start, then every hour;
// on a postgresStore every worker purges, in batches that skip rows another holds), and how the outbox
// stands is published for other processes every few seconds (`enable3 outbox status`). A failure of
// either is told to onError once per streak of failures, and tried again at the next turn.
import { hostname } from "node:os";
import type { PublishedStatus, StoreSession } from "./contract.js";
import { asOutboxError } from "./errors.js";
import type { OutboxStats } from "./outbox-types.js";

export const PURGE_EVERY_MS = 60 * 60_000;
export const PUBLISH_EVERY_MS = 5_000;

export interface Upkeep {
  /** Publishes a last status (e.g. `"closed"`) and stops both timers. */
  stop(): Promise<void>;
}

export function startUpkeep(
  session: StoreSession,
  options: {
    deadRetentionMs: number;
    stats: () => OutboxStats;
    /** Delivered in the last hour: the outbox's history (history.ts) counts it. */
    deliveredLastHour: () => number;
    onError: (error: Error) => void;
  },
): Upkeep {
  const timers: ReturnType<typeof setInterval>[] = [];
  const every = (ms: number, work: () => void) => {
    const timer = setInterval(work, ms);
    timer.unref?.();
    timers.push(timer);
  };
  const told = { purge: false, publish: false };
  const failed = (which: keyof typeof told, what: string) => (error: unknown) => {
    if (!told[which]) options.onError(asOutboxError(error, "write_failed", what));
    told[which] = true;
  };

  let purging: Promise<void> = Promise.resolve();
  const purge = () => {
    purging = session.purgeDead(options.deadRetentionMs, false).then(
      () => {
        told.purge = false;
      },
      failed("purge", "cannot purge dead records past deadRetentionMs (tried again in an hour; they are kept meanwhile)"),
    );
  };
  if (options.deadRetentionMs !== Infinity) {
    purge();
    every(PURGE_EVERY_MS, purge);
  }

  let publishing: Promise<void> = Promise.resolve();
  let busy = false;
  const publish = (state?: string) => {
    if (!session.publishStatus || busy) return; // one write at a time: a slow disk skips a turn, never overlaps
    const stats = options.stats();
    const status: PublishedStatus = {
      state: state ?? stats.state,
      ...(stats.problem && !state ? { problem: stats.problem.message } : {}),
      inFlight: state ? 0 : stats.inFlight,
      deliveredLastHour: options.deliveredLastHour(),
      pid: process.pid,
      host: hostname(),
      updatedAt: Date.now(),
    };
    busy = true;
    publishing = session
      .publishStatus(status)
      .then(
        () => {
          told.publish = false;
        },
        failed("publish", "cannot publish the outbox's status for enable3 outbox status (tried again in a few seconds)"),
      )
      .finally(() => {
        busy = false;
      });
  };
  if (session.publishStatus) {
    publish();
    every(PUBLISH_EVERY_MS, () => publish());
  }

  return {
    async stop() {
      for (const timer of timers) clearInterval(timer);
      await purging;
      await publishing;
      publish("closed");
      await publishing;
    },
  };
}

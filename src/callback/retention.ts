// Withdrawal marks' lifetime: the signature has no timestamp, so a processed mark is the only thing that
// tells a redelivery from a new withdrawal, and a mark purged too early pays twice. One rule joins the
// two ends: a callback dated more than retentionMs ago is refused, and a store's purge() removes only
// marks older than retentionMs plus a margin, so no callback the receiver accepts can have lost its mark.
import { RETENTION } from "../internal/defaults.js";
import type { ParsedWithdrawalCallback } from "./signature.js";
import type { WithdrawalStore } from "./store.js";

/**
 * Why a callback is too old to pay, written to `log` (a refusal nobody hears leaves a genuine late
 * payout unpaid in silence) and returned for the answer; undefined when it is not too old.
 */
export function tooOld(withdrawal: ParsedWithdrawalCallback, retentionMs: number, log: (line: string) => void): string | undefined {
  if (withdrawal.createdAtDate.getTime() >= Date.now() - retentionMs) return undefined;
  const line =
    `withdrawal ${withdrawal.transactionId} is dated ${withdrawal.createdAt}, older than retentionMs (${describeMs(retentionMs)}): ` +
    "refused with 400 and NOT paid. Its processed mark may have been purged, so a replay of old bytes cannot be told " +
    "from a genuine late delivery: if your ledger shows it unpaid, pay it by hand";
  log(line);
  return line;
}

/** The purges of one receiver: on an unref'd timer armed by the first delivery, and on demand. */
export interface PurgeSchedule {
  /** Arms the schedule (the first purge runs now); later calls do nothing. */
  start(): void;
  /** Purges now: resolves how many marks went (undefined for a store without purge); rejects with the store's error. */
  purge(): Promise<number | undefined>;
  /** Disarms the timer and waits for a purge under way. */
  close(): Promise<void>;
}

export function purgeSchedule<Tx>(store: WithdrawalStore<Tx>, retentionMs: number, logError: (line: string) => void): PurgeSchedule {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let state: "idle" | "armed" | "closed" = "idle";

  const purge = async () => {
    if (!store.purge) return undefined;
    const before = new Date(Date.now() - retentionMs - RETENTION.marginMs);
    return store.purge({ before });
  };
  const tick = () => {
    running = purge().catch((error: unknown) => {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      logError(`purging withdrawal marks older than retentionMs failed (retried in an hour; the marks are kept meanwhile): ${reason}`);
    });
    void running.then(() => {
      if (state !== "armed") return;
      timer = setTimeout(tick, RETENTION.purgeEveryMs);
      unref(timer);
    });
  };
  return {
    start() {
      if (state !== "idle" || !store.purge) return;
      state = "armed";
      tick();
    },
    purge,
    async close() {
      state = "closed";
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}

/** The schedule never keeps a process alive: Node's and Bun's timers have unref(), Deno's ids Deno.unrefTimer. */
function unref(timer: ReturnType<typeof setTimeout>): void {
  if (typeof timer === "object" && timer !== null) (timer as { unref?: () => void }).unref?.();
  else (globalThis as { Deno?: { unrefTimer?: (id: unknown) => void } }).Deno?.unrefTimer?.(timer);
}

function describeMs(ms: number): string {
  const days = ms / (24 * 60 * 60 * 1000);
  return Number.isInteger(days) ? `${days} days` : `${ms} ms`;
}

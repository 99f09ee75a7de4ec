// When the API refuses this server rather than a record (a 401 after a key rotation, a 403 from an
// egress IP not on the allow-list, a proxy's 407), every record would meet the same refusal: delivery
// pauses, records stay queued, and one record at a time goes out as a probe, with the outbox's backoff,
// until an answer other than that refusal resumes delivery by itself.
import type { Enable3Error } from "../errors/base.js";
import { backoffDelay } from "../internal/backoff.js";
import { Enable3OutboxError } from "./errors.js";
import type { RetryPolicy } from "./policy.js";

export interface PauseGate {
  /** Why delivery is paused (told to onError once per pause); undefined while it delivers. */
  problem(): Enable3OutboxError | undefined;
  /** Whether a record may go now: `"send"` (not paused), `"probe"` (paused, and a probe is due: this record is it) or `"wait"`. */
  admit(): "send" | "probe" | "wait";
  /** The probe taken by admit() was not sent after all: the next record is. */
  unused(): void;
  /** True while paused with no probe due: records wait. */
  blocked(): boolean;
  /** A record met the refusal; `probe` when it was the probe. */
  refused(error: Enable3Error, probe: boolean): void;
  /** A record got any other outcome: the refusal is over. */
  answered(): void;
  stop(): void;
}

export function createPauseGate(policy: RetryPolicy, tell: (error: Enable3OutboxError) => void, wake: () => void): PauseGate {
  let paused: { error: Enable3OutboxError; probes: number; due: boolean; timer?: ReturnType<typeof setTimeout> | undefined } | undefined;
  let stopped = false;

  const nextProbe = () => {
    if (!paused || stopped) return;
    const p = paused;
    p.probes++;
    p.timer = setTimeout(
      () => {
        p.timer = undefined;
        p.due = true;
        wake();
      },
      backoffDelay(p.probes, policy),
    );
    p.timer.unref?.();
  };

  return {
    problem: () => paused?.error,
    admit() {
      if (!paused) return "send";
      if (!paused.due) return "wait";
      paused.due = false;
      return "probe";
    },
    unused() {
      if (paused) paused.due = true;
    },
    blocked: () => paused !== undefined && !paused.due,
    refused(error, probe) {
      if (!paused) {
        const message = `delivery paused: ${error.message}. Every record stays queued; one is sent now and then (with the outbox's backoff) and delivery resumes by itself once the API takes it`;
        paused = { error: new Enable3OutboxError("paused", message, error), probes: 0, due: false };
        tell(paused.error);
        nextProbe();
      } else if (probe) nextProbe();
    },
    answered() {
      if (!paused) return;
      clearTimeout(paused.timer);
      paused = undefined;
      wake();
    },
    stop() {
      stopped = true;
      if (paused) clearTimeout(paused.timer);
    },
  };
}

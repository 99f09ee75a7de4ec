// What the retry loop tells the telemetry about one call, attempt by attempt: the one seam every call
// passes through. Each signal (log lines, hooks, OpenTelemetry) is one CallScope; observe.ts joins them.
import type { Enable3Error } from "../errors/classes.js";
import type { AttemptOutcome } from "../transport/contract.js";

/** What is known of a call when it starts. */
export interface CallStart {
  operation: string;
  method: string;
  /** The spec's route, for the methods; undefined for raw calls. */
  urlTemplate: string | undefined;
  /** The requested URL (holds user ids: recorded only on opt-in). */
  url: string;
  /** "getUserBalance GET /api/…", for log lines. */
  label: string;
  serverAddress: string;
  serverPort: number;
  maxAttempts: number;
}

/** One call's telemetry, told in order: attempts, retries, and the end. */
export interface CallScope {
  /** Before each attempt; the headers it returns (traceparent) go out with that attempt. */
  attemptStarted(attempt: number): Record<string, string> | undefined;
  /** After each attempt, with what it ended with. */
  attemptEnded(attempt: number, outcome: AttemptOutcome): void;
  /** The loop waits `waitMs` and tries again after `outcome`. */
  retryScheduled(attempt: number, waitMs: number, outcome: AttemptOutcome): void;
  /** The loop could have retried but did not: the budget was short, or the server asked for too long a wait. */
  retryRefused(reason: "budget" | "retry-after", detail: number | undefined): void;
  /** Once: the response the call ends with, or the error it throws. */
  ended(result: { status?: number | undefined; error?: Enable3Error | undefined }, attempts: number): void;
}

/** Makes the scope of each call. */
export type CallObserver = (start: CallStart) => CallScope;

/** The scope of a call nothing observes: every method does nothing, and nothing is made per call. */
export const SILENT_SCOPE: CallScope = {
  attemptStarted: () => undefined,
  attemptEnded() {},
  retryScheduled() {},
  retryRefused() {},
  ended() {},
};

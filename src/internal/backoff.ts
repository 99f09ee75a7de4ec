// The one backoff rule, for the client's retries and the outbox's: exponential from `initialDelayMs`,
// capped at `maxDelayMs`, with "equal jitter" (a random wait between half and the whole step) so a fleet
// does not retry in step.

export interface BackoffSteps {
  initialDelayMs: number;
  maxDelayMs: number;
}

/** The step after `attempts` failed attempts (from 1), before its jitter. */
export function backoffStep(attempts: number, steps: BackoffSteps): number {
  return Math.min(steps.maxDelayMs, steps.initialDelayMs * 2 ** Math.min(30, Math.max(0, attempts - 1)));
}

/** The wait after `attempts` failed attempts: half to all of its step, rounded to a millisecond. */
export function backoffDelay(attempts: number, steps: BackoffSteps, random: () => number = Math.random): number {
  return Math.round(backoffStep(attempts, steps) * (0.5 + random() / 2));
}

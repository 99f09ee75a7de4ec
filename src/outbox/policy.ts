// The one rule for what a failed delivery means, and how long to wait before the next attempt.
// Stores keep what this decides; nothing else in the outbox classifies an error.
import { Enable3ApiError, Enable3RedirectError } from "../errors/api.js";
import type { Enable3Error } from "../errors/base.js";
import { Enable3ProxyError } from "../errors/network.js";
import { Enable3ValidationError } from "../errors/validation.js";
import { backoffDelay, backoffStep } from "../internal/backoff.js";
import type { FailureSummary } from "./contract.js";

export interface RetryPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  retryForMs: number;
}

/** What to do with a record after an attempt ended with `error`. */
export type Verdict = { outcome: "delivered" } | { outcome: "retry"; delayMs: number } | { outcome: "dead" } | { outcome: "pause" };

/**
 * The API (or the proxy) refuses this server, not the record: a 401 (a rotated key), a 403 (an egress
 * IP not on the allow-list) or a proxy's 407. Every record would meet it, so none is judged by it.
 */
export function refusesServer(error: Enable3Error): boolean {
  if (error instanceof Enable3ProxyError) return error.status === 407;
  return error instanceof Enable3ApiError && (error.status === 401 || error.status === 403);
}

/**
 * The API refused the record itself (a 4xx other than 401, 403, 408 and 429, a body the SDK finds invalid, a
 * redirect it will not follow): sending it again cannot help. Anything else (no answer, a timeout, a
 * 408, 429 or 5xx, an unexpected failure) may pass later.
 */
export function isPermanent(error: Enable3Error): boolean {
  if (error instanceof Enable3ValidationError || error instanceof Enable3RedirectError) return true;
  if (error instanceof Enable3ApiError) return error.status >= 400 && error.status < 500 && ![401, 403, 408, 429].includes(error.status);
  return false;
}

/** The verdict on an attempt: `attempts` counts this one; `ageMs` is how long ago the record was enqueued. */
export function judge(
  error: Enable3Error | undefined,
  attempts: number,
  ageMs: number,
  policy: RetryPolicy,
  random = Math.random,
): Verdict {
  if (error === undefined || answeredOk(error)) return { outcome: "delivered" };
  if (refusesServer(error)) return { outcome: "pause" };
  if (isPermanent(error)) return { outcome: "dead" };
  const delayMs = backoffDelay(attempts, policy, random);
  if (ageMs + delayMs > policy.retryForMs) return { outcome: "dead" };
  return { outcome: "retry", delayMs };
}

/** A 2xx whose body the SDK could not read still means the API took the record. */
function answeredOk(error: Enable3Error): boolean {
  const status = (error as { status?: unknown }).status;
  return typeof status === "number" && status >= 200 && status < 300;
}

/** The stable fields of an error, as stores keep them and hooks report them. */
export function summarize(error: Enable3Error): FailureSummary {
  const status = (error as { status?: unknown }).status;
  return { name: error.name, code: error.code, message: error.message, ...(typeof status === "number" ? { status } : {}) };
}

/**
 * The least time `attempts` failed attempts can have taken: the sum of their shortest backoffs (jitter
 * at its lowest). A record's age judged by the wall clock alone would die at once after a step forward.
 */
export function shortestWaits(attempts: number, policy: RetryPolicy): number {
  let total = 0;
  for (let k = 1; k <= attempts; k++) {
    const full = backoffStep(k, policy);
    if (full === policy.maxDelayMs) return total + (attempts - k + 1) * full * 0.5;
    total += full * 0.5;
  }
  return total;
}

// Retry policy: which outcomes are retried (the one rule, shouldRetry, that the retry loop asks and
// every error's `retryable` reports) and how long to wait before the next attempt.
import type { AttemptOutcome } from "./contract.js";

/** How a client retries: how many times, how long it waits, and after which statuses. */
export interface RetryOptions {
  /** Retries after the first attempt; `0` disables retrying. @default 2 */
  maxRetries?: number | undefined;
  /** First backoff delay in ms, doubled per retry, with jitter. @default 500 */
  initialDelayMs?: number | undefined;
  /** Largest backoff delay in ms. @default 8000 */
  maxDelayMs?: number | undefined;
  /** Longest server-requested wait (Retry-After) honoured, in ms; beyond it the call fails. @default 60000 */
  maxRetryAfterMs?: number | undefined;
  /** Statuses that are retried. @default [408, 429, 500, 502, 503, 504] */
  retryOnStatus?: readonly number[] | undefined;
}

/**
 * Whether an attempt's outcome is worth another attempt: a status in `retryOnStatus`; a refused or
 * reset connection and a timeout (the server may answer the next one); a proxy that could not be
 * reached, or answered CONNECT with a status in `retryOnStatus`. Never a TLS or protocol failure (the
 * same certificate, the same broken response), a redirect, an oversized body, an invalid request or
 * the caller's abort. The retry loop asks it after every attempt; `error.retryable` is its answer.
 */
export function shouldRetry(outcome: AttemptOutcome, settings: Pick<Required<RetryOptions>, "retryOnStatus">): boolean {
  if (outcome.response) return settings.retryOnStatus.includes(outcome.response.status);
  const failure = outcome.failure;
  switch (failure.kind) {
    case "network":
    case "timeout":
    case "deadline":
      return true;
    case "proxy":
      return failure.status === undefined || settings.retryOnStatus.includes(failure.status);
    default:
      return false;
  }
}

/**
 * The wait a response asks for, in ms: `retry-after-ms`, else `Retry-After` as seconds or an HTTP
 * date. `undefined` when absent or unreadable.
 */
export function requestedWaitMs(headers: Pick<Headers, "get">, now: number = Date.now()): number | undefined {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "" && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Number(ms);
  const after = headers.get("retry-after");
  if (after === null || after.trim() === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(after.trim())) return Number(after) * 1000;
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

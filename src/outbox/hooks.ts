// Hooks for operators without OpenTelemetry: each is told the operation, attempt, status and elapsed
// time. A hook that throws (or rejects) changes nothing: the outbox goes on, and the first throw of
// each hook is reported once, as internal/hook-guard.ts words and sends it (a process warning).

import type { Enable3Error } from "../errors/base.js";
import { hookFailureReporter, runHook } from "../internal/hook-guard.js";
import type { DeadRecord, JsonValue } from "./contract.js";

/** What every hook is told about an attempt. */
export interface OutboxAttemptInfo {
  /** `"sendEvent"`, `"sendRevenue"`, `"assignSegments"` or `"removeSegments"`. */
  operation: "sendEvent" | "sendRevenue" | "assignSegments" | "removeSegments";
  /** The event id or revenue requestId; a segment change's own id. */
  id: string;
  /** This attempt's number for the record, from 1, counted across restarts and processes. */
  attempt: number;
  /**
   * The HTTP status the API answered with, when it answered with an error; undefined when no answer
   * came (a network failure, a timeout) and on delivery (the bulk sender reports no 2xx status).
   */
  status: number | undefined;
  /** How long the attempt took, retries inside the client included, ms. */
  elapsedMs: number;
  /** How long ago the record was enqueued, ms. */
  ageMs: number;
  /** What was passed as `context` to enqueue. */
  context: JsonValue | undefined;
}

/** Told to `onRetry`: the attempt failed in a way that may pass; the record is tried again after `delayMs`. */
export interface OutboxRetryInfo extends OutboxAttemptInfo {
  /** Why the attempt failed. */
  error: Enable3Error;
  /** How long the record waits before its next attempt, ms. */
  delayMs: number;
}

/** Told to `onDead`: the record was given up on (the API refused it, or it kept failing for `retryForMs`). */
export interface OutboxDeadInfo extends OutboxAttemptInfo {
  /** Why it was given up on: the API's refusal, or the last failure. */
  error: Enable3Error;
  /** The record as `dead()` lists it. */
  record: DeadRecord;
  /**
   * The record's ordering key (a segment change's user id), when it had one: the records of that key
   * enqueued after it were held back behind it and now go on without it.
   */
  released: string | undefined;
}

/** The outbox's hooks. Each is called after the store recorded the outcome. */
export interface OutboxHooks {
  /** A record was delivered. */
  onDelivered?: ((info: OutboxAttemptInfo) => void) | undefined;
  /** An attempt failed and the record will be tried again. */
  onRetry?: ((info: OutboxRetryInfo) => void) | undefined;
  /** A record became dead. */
  onDead?: ((info: OutboxDeadInfo) => void) | undefined;
  /**
   * Trouble the outbox works around in the background: the store unreachable for a moment (it tries
   * again), a damaged record skipped, a hook that threw.
   */
  onError?: ((error: Error) => void) | undefined;
}

/** Calls hooks so that none can disturb the outbox (internal/hook-guard.ts). */
export function createHookCaller(hooks: OutboxHooks) {
  const report = hookFailureReporter("outbox", undefined);
  return function call<K extends keyof OutboxHooks>(name: K, info: Parameters<NonNullable<OutboxHooks[K]>>[0]): void {
    const hook = hooks[name] as ((info: unknown) => unknown) | undefined;
    if (hook) runHook(hook, [info], (error) => report(name, error));
  };
}

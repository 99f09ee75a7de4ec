// Typed hooks for operators without OpenTelemetry: told what each call and attempt did, as it happens.
// A hook that throws changes nothing about the call (internal/hook-guard.ts guards them); the first throw of
// each hook is reported once.
import type { Enable3Error } from "../errors/base.js";

/** What every hook is told about the call. */
export interface CallEvent {
  /** The operationId, e.g. `"sendEvent"`, or `"raw"`. */
  operation: string;
  /** The HTTP method. */
  method: string;
  /** The route as the spec writes it (`/api/v1/integration/user/{operatorUserId}/balance`); absent for raw calls. */
  urlTemplate: string | undefined;
  /** The attempt, from 1. */
  attempt: number;
}

/** Told before an attempt is sent. */
export type RequestEvent = CallEvent;

/** Told when an attempt got a response (any status). */
export interface ResponseEvent extends CallEvent {
  /** The response's HTTP status. */
  status: number;
  /** The attempt's time, in ms. */
  elapsedMs: number;
}

/** Told when the loop will try again. */
export interface RetryEvent extends CallEvent {
  /** The failed attempt's status, when it had a response. */
  status: number | undefined;
  /** What ended the failed attempt without a response (`"timeout"`, `"network"`, `"tls"`…), else undefined. */
  failure: string | undefined;
  /** How long until the next attempt, in ms. */
  delayMs: number;
}

/** Told once when a call fails, with the error it throws. */
export interface CallErrorEvent extends CallEvent {
  /** The last attempt's HTTP status, when it had a response. */
  status: number | undefined;
  /** The error the call throws. */
  error: Enable3Error;
  /** The whole call's time, retries and waits included, in ms. */
  elapsedMs: number;
}

/**
 * Hooks a client calls; each is optional. They run inline (keep them fast); what they return is ignored.
 * @example
 * const enable3 = createEnable3Client({ hooks: { onRetry: (r) => metrics.increment("enable3.retry", { op: r.operation }) } });
 */
export interface ClientHooks {
  /** Before each attempt. */
  onRequest?: ((event: RequestEvent) => void) | undefined;
  /** After each attempt that got a response. */
  onResponse?: ((event: ResponseEvent) => void) | undefined;
  /** Before waiting for the next attempt. */
  onRetry?: ((event: RetryEvent) => void) | undefined;
  /** When a call fails for good. */
  onError?: ((event: CallErrorEvent) => void) | undefined;
}

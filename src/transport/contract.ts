// The one contract between the retry loop and a transport: what an attempt is given (the request, the
// call's settings and limits) and what it ends with (a response whose body is read, or why there is
// none). A transport does I/O only: the rules every transport shares are in attempt-policy.ts, and
// every decision about an outcome (retry it or not) is the retry policy's.
import type { Enable3Error } from "../errors/base.js";
import type { RetryOptions } from "./retry-policy.js";

/** What one call runs with: the client's settings, overridden by the call's options. */
export interface CallSettings extends Required<RetryOptions> {
  /** Per attempt, the response body included. */
  timeoutMs: number;
  /** Per call, retries and waits included. */
  deadlineMs: number;
  /** Longest response body read, counted after decoding (a compressed body is capped on what it decodes to). */
  maxResponseBytes: number;
  /** The caller's signal. */
  signal?: AbortSignal | undefined;
  /** Extra headers of this call. */
  headers?: Record<string, string> | undefined;
}

/** One SDK call as its attempts see it: its settings, and what the retry loop learns making it. */
export interface CallContext {
  /** The operationId, or "raw". */
  operation: string;
  settings: CallSettings;
  /** Attempts made so far. */
  attempts: number;
  /** The idempotency key the request carries (sendEvent's id, sendRevenue's requestId): every error of the call names it. */
  idempotencyKey?: string | undefined;
  method?: string | undefined;
  /** The request's absolute URL: a path is read from it only when a message needs one. */
  url?: string | undefined;
  path?: string | undefined;
  /** The host the request is for (no port), as TLS checks it. */
  host?: string | undefined;
  /** The retry policy's verdict on the outcome the call ended with (see retry-policy.ts shouldRetry). */
  retryable?: boolean | undefined;
  /** The call's telemetry, from its first attempt on: whoever learns how the call ended tells it (`ended`). */
  scope?: CallScope | undefined;
}

/**
 * A call's context with every field the retry loop and the transport will write declared up front:
 * one shape for every call (methods and raw alike), so the code that reads it stays monomorphic.
 */
export function newCallContext(operation: string, settings: CallSettings, idempotencyKey?: string): CallContext {
  return {
    operation,
    settings,
    attempts: 0,
    idempotencyKey,
    method: undefined,
    url: undefined,
    path: undefined,
    host: undefined,
    retryable: undefined,
    scope: undefined,
  };
}

/**
 * One call's telemetry, told in order by the retry loop (attempts, retries) and, once, by whoever
 * learns how the call ended: the loop for a failure without a response, the client for a response.
 * Every call passes through this seam; telemetry/ implements it (log lines, hooks, OpenTelemetry).
 */
export interface CallScope {
  /** Before each attempt; the headers it returns (traceparent) go out with that attempt only. */
  attemptStarted(attempt: number): Record<string, string> | undefined;
  /** After each attempt, with what it ended with. */
  attemptEnded(attempt: number, outcome: AttemptOutcome): void;
  /** The loop waits `waitMs` and tries again after `outcome`. */
  retryScheduled(attempt: number, waitMs: number, outcome: AttemptOutcome): void;
  /** The loop could have retried but did not: the budget was short, or the server asked for too long a wait (`waitMs`). */
  retryRefused(reason: "budget" | "retry-after", waitMs: number | undefined): void;
  /** Once: the status the call ended with, and the error it throws, if it throws. */
  ended(result: { status?: number | undefined; error?: Enable3Error | undefined }): void;
}

/** What a client tells its telemetry: each call, and each settled item of a bulk run. */
export interface Observer {
  /** The scope of a call that is about to make its first attempt of `request`. */
  call(ctx: CallContext, request: OutgoingRequest): CallScope;
  /** A bulk run's item settled. */
  bulkItemSettled(operation: string, outcome: "delivered" | "failed" | "not_sent"): void;
}

/** The scope of a call nothing observes: every method does nothing, and nothing is made per call. */
export const SILENT_SCOPE: CallScope = {
  attemptStarted: () => undefined,
  attemptEnded() {},
  retryScheduled() {},
  retryRefused() {},
  ended() {},
};

/** A client nothing observes. */
export const SILENT_OBSERVER: Observer = { call: () => SILENT_SCOPE, bulkItemSettled() {} };

/** Header names and values, walked once by a transport to write them. */
export interface HeaderSource {
  forEach(callback: (value: string, name: string) => void): void;
}

/** Response headers as the SDK reads them: a WHATWG Headers, or a lighter view over node:http's. */
export interface HeaderLookup extends HeaderSource {
  get(name: string): string | null;
}

/** What a transport sends, the same on every attempt (the body is held, so each attempt can resend it). */
export interface OutgoingRequest {
  /** Absolute. */
  url: string;
  method: string;
  headers: HeaderSource;
  body: string | ArrayBuffer | Uint8Array | undefined;
  /** "error" (and undefined) is the SDK's "never follow": a 3xx ends the attempt as a redirect failure. */
  redirect: RequestRedirect | undefined;
  /** A raw call's own signal; the methods pass theirs in the call's settings. */
  signal?: AbortSignal | undefined;
}

/** A response whose body was read in full (and decoded), within `maxResponseBytes`. */
export interface TransportResponse {
  status: number;
  statusText: string;
  headers: HeaderLookup;
  body: Uint8Array;
}

/**
 * Why an attempt ended without a usable response. "tls" is a handshake or certificate failure,
 * "protocol" a response that is not valid HTTP (or a body that does not decode), "proxy" a proxy that
 * could not be reached or refused the tunnel (`status` its answer to CONNECT).
 */
export type AttemptFailure =
  | { kind: "aborted" | "timeout" | "deadline" | "network" | "invalid-request" | "tls" | "protocol"; cause: unknown }
  | { kind: "proxy"; proxy: ProxyShown; status?: number | undefined; cause?: unknown }
  | { kind: "redirect"; status: number; location: string | null }
  | { kind: "too-large"; status: number };

/** What an attempt ends with: a response, or why there is none. */
export type AttemptOutcome = { response: TransportResponse; failure?: undefined } | { failure: AttemptFailure; response?: undefined };

/** Makes one attempt of `request`; never throws. `deadlineAt` ends the call; `signal` is the caller's, if any. */
export type Attempt = (
  request: OutgoingRequest,
  ctx: CallContext,
  deadlineAt: number,
  signal: AbortSignal | undefined,
) => Promise<AttemptOutcome>;

/**
 * How a client reaches the network: one attempt at a time, and `close()`, which releases what the
 * client holds (the Node transport's share of a connection pool; nothing on fetch).
 */
export interface Transport {
  attempt: Attempt;
  close(): Promise<void>;
}

/** A proxy as messages show it: its URL with credentials redacted, and where it came from. */
export interface ProxyShown {
  /** e.g. `http://[redacted]@proxy.internal:3128`. */
  shown: string;
  /** `"the proxy option"`, or the environment variable's name (`"HTTPS_PROXY"`, `"https_proxy"`). */
  source: string;
}

/**
 * Why a proxy set in the environment (or the option) is not used: NODE_USE_ENV_PROXY is not 1, NO_PROXY
 * matches, `proxy: false`, not an http(s) URL, a given fetch, or a base URL on this machine.
 */
export type UnusedProxyReason = "not-enabled" | "no-proxy" | "disabled" | "not-http" | "fetch" | "loopback";

/** How a client reaches the API (`enable3.route`): through which proxy, or, when a proxy variable is set but unused, why not. */
export interface NetworkRoute {
  /** The proxy every request goes through; absent when they go direct. */
  proxy?: ProxyShown | undefined;
  /** A proxy variable (or option) that is set but not used, and why. */
  unusedProxy?: UnusedProxy | undefined;
}

/** A proxy that is set but not used (see {@link NetworkRoute}). */
export interface UnusedProxy {
  /** The variable's name (`"HTTPS_PROXY"`), or `"the proxy option"`. */
  name: string;
  /** Why it is not used, as a stable name. */
  why: UnusedProxyReason;
  /** The same reason in words, as messages give it. */
  because: string;
}

/** A proxy the Node transport sends through: from the `proxy` option or the environment. */
export interface ProxyRoute {
  /** The proxy's URL as given, credentials included: only the transport reads it. */
  url: URL;
  /** The same URL with any credentials replaced by `[redacted]`: the form every message shows. */
  shown: string;
  /** Where it came from: "the proxy option", or the environment variable's name. */
  source: string;
}

// The one contract between the retry loop and a transport: what an attempt is given (the request, the
// call's settings and limits) and what it ends with (a response whose body is read, or why there is
// none). A transport does I/O only; every decision about the outcome is the retry loop's.
import type { RetryOptions } from "./retry-policy.js";

/** What one call runs with: the client's settings, overridden by the call's options. */
export interface CallSettings extends Required<RetryOptions> {
  /** Per attempt, the response body included. */
  timeoutMs: number;
  /** Per call, retries and waits included. */
  deadlineMs: number;
  /** Longest response body read. */
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
  method?: string;
  path?: string;
}

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

/** A response whose body was read in full, within `maxResponseBytes`. */
export interface TransportResponse {
  status: number;
  statusText: string;
  headers: HeaderLookup;
  body: Uint8Array;
}

/** Why an attempt ended without a usable response. */
export type AttemptFailure =
  | { kind: "aborted" | "timeout" | "deadline" | "network" | "invalid-request"; cause: unknown }
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

/** How a client reaches the network: one attempt at a time, and what to release on `client.close()`. */
export interface Transport {
  attempt: Attempt;
  close(): Promise<void>;
}

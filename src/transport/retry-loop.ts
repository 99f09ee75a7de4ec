// The retry loop: one call's attempts, made through a transport, until one succeeds, the policy
// stops, the budget is short or the deadline is near. It sits under openapi-fetch (the adapter in
// client/ hands it each request), so every attempt resends the same held body; each attempt reads its
// whole response body, so a reset or a stall mid-body is retried like any other transport failure.
import { attemptError } from "../errors/messages.js";
import { backoffDelay } from "../internal/backoff.js";
import { sleep } from "../internal/timers.js";
import type { AttemptOutcome, CallContext, HeaderSource, Observer, OutgoingRequest, Transport, TransportResponse } from "./contract.js";
import type { Redactor } from "./redact.js";
import type { RetryBudget } from "./retry-budget.js";
import { requestedWaitMs, shouldRetry } from "./retry-policy.js";

export interface RetryLoopOptions {
  /** Makes one attempt: over fetch, or node:http. */
  attempt: Transport["attempt"];
  budget: RetryBudget | undefined;
  /** Where the call's telemetry goes: log lines, hooks, OpenTelemetry (telemetry/observe.ts). */
  observer: Observer;
  redact: Redactor;
}

/** Sends one request for one call; resolves to the response it ends with, or throws its typed error. */
export type SendRequest = (request: OutgoingRequest, ctx: CallContext) => Promise<TransportResponse>;

/**
 * Every attempt of every call passes through here, and only here: the retry policy's verdict on each
 * outcome (`shouldRetry`) is kept in `ctx.retryable`, so the error a call ends with says what the loop did.
 */
export function createRetryLoop(options: RetryLoopOptions): SendRequest {
  const { observer, redact, budget } = options;
  // where the call went, for messages only: a call that succeeds never parses its URL
  const place = (ctx: CallContext, url: string) => {
    // a path holds the caller's ids, and so anything they hold: redacted like the rest of an error
    ctx.path ??= redact(urlPath(url));
    ctx.host ??= urlHost(url);
  };
  const end = (outcome: AttemptOutcome, ctx: CallContext, url: string): TransportResponse => {
    const status = outcome.response?.status;
    if (status === undefined || status < 200 || status >= 300) place(ctx, url);
    if (outcome.failure) {
      const error = attemptError(outcome.failure, ctx, redact);
      ctx.scope!.ended({ error });
      throw error;
    }
    // a response ends the call where it is read: the client's call, or the raw adapter
    return outcome.response;
  };
  return (request, ctx) => {
    ctx.method = request.method;
    ctx.url = request.url;
    const scope = observer.call(ctx, request);
    ctx.scope = scope;
    // a raw call's own signal (on its Request) counts like a method's `signal` option
    const signal = request.signal ?? ctx.settings.signal;
    const deadlineAt = Date.now() + ctx.settings.deadlineMs;
    let spent = 0;
    const attempt = (n: number): Promise<TransportResponse> => {
      ctx.attempts = n;
      const traced = scope.attemptStarted(n);
      return options.attempt(traced ? withHeaders(request, traced) : request, ctx, deadlineAt, signal).then((outcome) => {
        scope.attemptEnded(n, outcome);
        return decide(outcome, n);
      });
    };
    // after attempt n: the answer, or the next attempt (a promise chain, not an async loop: the common
    // case, one attempt, costs one promise)
    const decide = (outcome: AttemptOutcome, n: number): TransportResponse | Promise<TransportResponse> => {
      const status = outcome.response?.status;
      const retry = shouldRetry(outcome, ctx.settings);
      ctx.retryable = retry;
      if (!retry || Date.now() >= deadlineAt) {
        if (status !== undefined && status >= 200 && status < 300) budget?.release(spent);
        return end(outcome, ctx, request.url);
      }
      if (n > ctx.settings.maxRetries) return end(outcome, ctx, request.url);
      const requested = outcome.response && requestedWaitMs(outcome.response.headers);
      if (requested !== undefined && requested > ctx.settings.maxRetryAfterMs) {
        scope.retryRefused("retry-after", requested);
        return end(outcome, ctx, request.url);
      }
      const wait = requested ?? backoffDelay(n, ctx.settings);
      if (wait >= deadlineAt - Date.now()) return end(outcome, ctx, request.url);
      const cost = budget ? budget.acquire(outcome.failure?.kind === "timeout") : 0;
      if (cost === undefined) {
        scope.retryRefused("budget", undefined);
        return end(outcome, ctx, request.url);
      }
      spent += cost;
      scope.retryScheduled(n, wait, outcome);
      return sleep(wait, signal).then(
        () => attempt(n + 1),
        (cause: unknown) => {
          ctx.retryable = false;
          return end({ failure: { kind: "aborted", cause } }, ctx, request.url);
        },
      );
    };
    return attempt(1);
  };
}

/** The request with `extra` headers for one attempt (traceparent), its own headers untouched. */
function withHeaders(request: OutgoingRequest, extra: Record<string, string>): OutgoingRequest {
  const headers: HeaderSource = {
    forEach(callback) {
      request.headers.forEach((value, name) => {
        if (!Object.hasOwn(extra, name.toLowerCase())) callback(value, name);
      });
      for (const name of Object.keys(extra)) callback(extra[name]!, name);
    },
  };
  return { ...request, headers };
}

/** The host without parsing a whole URL (no port, no IPv6 brackets): the request URL is always absolute here. */
export function urlHost(url: string): string {
  const start = url.indexOf("//") + 2;
  const end = url.indexOf("/", start);
  const authority = url.slice(start, end === -1 ? undefined : end);
  if (authority.startsWith("[")) return authority.slice(1, authority.indexOf("]"));
  const colon = authority.lastIndexOf(":");
  return colon === -1 ? authority : authority.slice(0, colon);
}

/** The path without parsing a whole URL: the request URL is always absolute here. */
export function urlPath(url: string): string {
  const afterHost = url.indexOf("/", url.indexOf("//") + 2);
  if (afterHost === -1) return "/";
  const end = url.search(/[?#]/);
  return url.slice(afterHost, end === -1 ? undefined : end);
}

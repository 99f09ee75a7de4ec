// The retry loop: one call's attempts, made through a transport, until one succeeds, the policy
// stops, the budget is short or the deadline is near. It sits under openapi-fetch (the adapter in
// client/ hands it each request), so every attempt resends the same held body; each attempt reads its
// whole response body, so a reset or a stall mid-body is retried like any other transport failure.
import { attemptError, labelOf } from "../errors/messages.js";
import type { AttemptOutcome, CallContext, OutgoingRequest, Transport, TransportResponse } from "./contract.js";
import type { Log } from "./log.js";
import type { Redactor } from "./redact.js";
import type { RetryBudget } from "./retry-budget.js";
import { backoffDelay, requestedWaitMs, shouldRetry, sleep } from "./retry-policy.js";

export interface RetryLoopOptions {
  /** Makes one attempt: over fetch, or node:http. */
  attempt: Transport["attempt"];
  budget: RetryBudget | undefined;
  log: Log;
  redact: Redactor;
}

/** Sends one request for one call; resolves to the response it ends with, or throws its typed error. */
export type SendRequest = (request: OutgoingRequest, ctx: CallContext) => Promise<TransportResponse>;

/**
 * Every attempt of every call passes through here, and only here: the retry policy's verdict on each
 * outcome (`shouldRetry`) is kept in `ctx.retryable`, so the error a call ends with says what the loop did.
 */
export function createRetryLoop(options: RetryLoopOptions): SendRequest {
  const { log, redact, budget } = options;
  const end = (outcome: AttemptOutcome, ctx: CallContext): TransportResponse => {
    if (outcome.failure) throw attemptError(outcome.failure, ctx, redact);
    return outcome.response;
  };
  return async (request, ctx) => {
    ctx.method = request.method;
    ctx.path = urlPath(request.url);
    ctx.host = urlHost(request.url);
    // a raw call's own signal (on its Request) counts like a method's `signal` option
    const signal = request.signal ?? ctx.settings.signal;
    const deadlineAt = Date.now() + ctx.settings.deadlineMs;
    let spent = 0;
    for (let attempt = 1; ; attempt++) {
      ctx.attempts = attempt;
      const outcome = await options.attempt(request, ctx, deadlineAt, signal);
      const status = outcome.response?.status;
      const retry = shouldRetry(outcome, ctx.settings);
      ctx.retryable = retry;
      log.debug?.(`${labelOf(ctx)} -> ${status ?? outcome.failure!.kind} (attempt ${attempt} of ${ctx.settings.maxRetries + 1})`);
      if (!retry || Date.now() >= deadlineAt) {
        if (status !== undefined && status >= 200 && status < 300) budget?.release(spent);
        return end(outcome, ctx);
      }
      if (attempt > ctx.settings.maxRetries) return end(outcome, ctx);
      const requested = outcome.response && requestedWaitMs(outcome.response.headers);
      if (requested !== undefined && requested > ctx.settings.maxRetryAfterMs) {
        log.warn?.(`${labelOf(ctx)}: server asked to wait ${requested} ms, more than maxRetryAfterMs; not retrying`);
        return end(outcome, ctx);
      }
      const wait = requested ?? backoffDelay(attempt, ctx.settings);
      if (wait >= deadlineAt - Date.now()) return end(outcome, ctx);
      const cost = budget ? budget.acquire(outcome.failure?.kind === "timeout") : 0;
      if (cost === undefined) {
        log.warn?.(`${labelOf(ctx)}: retry budget exhausted; failing fast`);
        return end(outcome, ctx);
      }
      spent += cost;
      log.debug?.(`${labelOf(ctx)}: retrying in ${wait} ms`);
      await sleep(wait, signal).catch((cause: unknown) => {
        ctx.retryable = false;
        throw attemptError({ kind: "aborted", cause }, ctx, redact);
      });
    }
  };
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

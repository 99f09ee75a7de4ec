// The retry loop: one call's attempts, made through a transport, until one succeeds, the policy
// stops, the budget is short or the deadline is near. It sits under openapi-fetch (the adapter in
// client/ hands it each request), so every attempt resends the same held body; each attempt reads its
// whole response body, so a reset or a stall mid-body is retried like any other transport failure.
import { type Enable3Error, Enable3TimeoutError } from "../errors/classes.js";
import { attemptError, labelOf } from "../errors/messages.js";
import type { AttemptOutcome, CallContext, OutgoingRequest, Transport, TransportResponse } from "./contract.js";
import type { Log } from "./log.js";
import type { Redactor } from "./redact.js";
import type { RetryBudget } from "./retry-budget.js";
import { backoffDelay, requestedWaitMs, sleep } from "./retry-policy.js";

export interface RetryLoopOptions {
  /** Makes one attempt: over fetch, or node:http. */
  attempt: Transport["attempt"];
  budget: RetryBudget | undefined;
  log: Log;
  redact: Redactor;
}

/** Sends one request for one call; resolves to the response it ends with, or throws its typed error. */
export type SendRequest = (request: OutgoingRequest, ctx: CallContext) => Promise<TransportResponse>;

type Settled = { response: TransportResponse; error?: undefined } | { error: Enable3Error; response?: undefined };

export function createRetryLoop(options: RetryLoopOptions): SendRequest {
  const { log, redact, budget } = options;
  const settle = (outcome: AttemptOutcome, ctx: CallContext): Settled =>
    outcome.failure ? { error: attemptError(outcome.failure, ctx, redact) } : { response: outcome.response };
  return async (request, ctx) => {
    ctx.method = request.method;
    ctx.path = urlPath(request.url);
    // a raw call's own signal (on its Request) counts like a method's `signal` option
    const signal = request.signal ?? ctx.settings.signal;
    const deadlineAt = Date.now() + ctx.settings.deadlineMs;
    let spent = 0;
    for (let attempt = 1; ; attempt++) {
      ctx.attempts = attempt;
      const outcome = settle(await options.attempt(request, ctx, deadlineAt, signal), ctx);
      const status = outcome.response?.status;
      const retryableOutcome = outcome.error ? outcome.error.retryable : ctx.settings.retryOnStatus.includes(status!);
      log.debug?.(`${labelOf(ctx)} -> ${status ?? outcome.error!.name} (attempt ${attempt} of ${ctx.settings.maxRetries + 1})`);
      if (!retryableOutcome || Date.now() >= deadlineAt) {
        if (status !== undefined && status >= 200 && status < 300) budget?.release(spent);
        return unwrap(outcome);
      }
      if (attempt > ctx.settings.maxRetries) return unwrap(outcome);
      const requested = outcome.response && requestedWaitMs(outcome.response.headers);
      if (requested !== undefined && requested > ctx.settings.maxRetryAfterMs) {
        log.warn?.(`${labelOf(ctx)}: server asked to wait ${requested} ms, more than maxRetryAfterMs; not retrying`);
        return unwrap(outcome);
      }
      const wait = requested ?? backoffDelay(attempt, ctx.settings);
      if (wait >= deadlineAt - Date.now()) return unwrap(outcome);
      const cost = budget ? budget.acquire(outcome.error instanceof Enable3TimeoutError) : 0;
      if (cost === undefined) {
        log.warn?.(`${labelOf(ctx)}: retry budget exhausted; failing fast`);
        return unwrap(outcome);
      }
      spent += cost;
      log.debug?.(`${labelOf(ctx)}: retrying in ${wait} ms`);
      await sleep(wait, signal).catch((cause: unknown) => {
        throw attemptError({ kind: "aborted", cause }, ctx, redact);
      });
    }
  };
}

function unwrap(outcome: Settled): TransportResponse {
  if (outcome.error) throw outcome.error;
  return outcome.response;
}

/** The path without parsing a whole URL: the request URL is always absolute here. */
export function urlPath(url: string): string {
  const afterHost = url.indexOf("/", url.indexOf("//") + 2);
  if (afterHost === -1) return "/";
  const end = url.search(/[?#]/);
  return url.slice(afterHost, end === -1 ? undefined : end);
}

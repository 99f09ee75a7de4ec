// The retrying fetch handed to openapi-fetch. It sits under openapi-fetch (not in middleware) so it
// can resend the request from a buffered body on every attempt; each attempt reads its whole response
// body, so a reset or a stall mid-body is retried like any other transport failure.
import { type Enable3Error, Enable3TimeoutError } from "../errors.js";
import { attemptError, type CallContext, labelOf, urlPath } from "./call-context.js";
import type { Attempt, AttemptOutcome } from "./fetch-attempt.js";
import type { Log } from "./log.js";
import { type Outgoing, PlainRequest, type PlainResponse } from "./plain-carriers.js";
import type { Redactor } from "./redact.js";
import type { RetryBudget } from "./retry-budget.js";
import { backoffDelay, requestedWaitMs, sleep } from "./retry-policy.js";

export interface TransportConfig {
  /** Makes one attempt: over fetch, or the Node transport. */
  attempt: Attempt;
  budget: RetryBudget | undefined;
  log: Log;
  redact: Redactor;
}

type Outcome = { response: Response | PlainResponse; error?: undefined } | { error: Enable3Error; response?: undefined };

export function createTransport(config: TransportConfig): (ctx: CallContext) => typeof fetch {
  const { log, redact } = config;
  const settle = (outcome: AttemptOutcome, ctx: CallContext): Outcome =>
    outcome.failure ? { error: attemptError(outcome.failure, ctx, redact) } : { response: outcome.response };
  return (ctx) =>
    (async (input: RequestInfo | URL | PlainRequest, init?: RequestInit): Promise<Response> => {
      const request: Outgoing = input instanceof PlainRequest ? input : await (await import("./raw-carriers.js")).outgoingOf(input, init);
      ctx.method = request.method;
      ctx.path = urlPath(request.url);
      // a raw call's own signal (on its Request) counts like a method's `signal` option
      const signal = request.signal ?? ctx.settings.signal;
      const deadlineAt = Date.now() + ctx.settings.deadlineMs;
      let spent = 0;
      for (let attempt = 1; ; attempt++) {
        ctx.attempts = attempt;
        const outcome = settle(await config.attempt(request, ctx, deadlineAt, signal), ctx);
        const status = outcome.response?.status;
        const retryableOutcome = outcome.error ? outcome.error.retryable : ctx.settings.retryOnStatus.includes(status!);
        log.debug?.(`${labelOf(ctx)} -> ${status ?? outcome.error!.name} (attempt ${attempt} of ${ctx.settings.maxRetries + 1})`);
        if (!retryableOutcome || Date.now() >= deadlineAt) {
          if (outcome.response?.ok) config.budget?.release(spent);
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
        const cost = config.budget ? config.budget.acquire(outcome.error instanceof Enable3TimeoutError) : 0;
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
    }) as typeof fetch;
}

function unwrap(outcome: Outcome): Response {
  if (outcome.error) throw outcome.error;
  // a PlainResponse has every member openapi-fetch reads for the SDK's own calls
  return outcome.response as Response;
}

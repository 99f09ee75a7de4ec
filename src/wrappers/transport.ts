// The retrying fetch handed to openapi-fetch. It sits under openapi-fetch (not in middleware) so it
// can rebuild the request from a buffered body on every attempt, and it buffers each response body
// inside the attempt so a reset or a stall mid-body is retried like any other transport failure.
import type { RetryBudget } from "./budget.js";
import { Enable3AbortError, Enable3ConnectionError, Enable3Error, Enable3TimeoutError } from "./errors.js";
import type { Log } from "./log.js";
import { backoffDelay, requestedWaitMs, sleep, type ResolvedRetryOptions } from "./retry.js";
import { startTimer } from "./timer.js";

/** One SDK call: its settings, and what the transport learns while making it. */
export interface CallContext {
  operation: string;
  retry: ResolvedRetryOptions;
  timeoutMs: number;
  deadlineMs: number | undefined;
  signal: AbortSignal | undefined;
  attempts: number;
  method?: string;
  path?: string;
}

export interface TransportConfig {
  fetch: typeof fetch;
  budget: RetryBudget | undefined;
  log: Log;
  random?: () => number;
}

type Outcome = { response: Response; error?: undefined } | { error: Enable3Error; response?: undefined };

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

export function createTransport(config: TransportConfig): (ctx: CallContext) => typeof fetch {
  return (ctx) =>
    async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      const request = input instanceof Request ? input : new Request(input, init);
      const url = new URL(request.url);
      ctx.method = request.method;
      ctx.path = url.pathname;
      const body = request.body ? await request.arrayBuffer() : undefined;
      const deadline = ctx.deadlineMs === undefined ? undefined : startTimer(ctx.deadlineMs);
      const label = `${ctx.operation} ${ctx.method} ${ctx.path}`;
      let spent = 0;
      try {
        for (let attempt = 1; ; attempt++) {
          ctx.attempts = attempt;
          const outcome = await attemptOnce(config.fetch, request, body, ctx, deadline?.signal);
          const status = outcome.response?.status;
          const retryableOutcome = outcome.error ? outcome.error.retryable : ctx.retry.retryOnStatus.includes(status!);
          config.log("debug", `${label} -> ${status ?? outcome.error!.name} (attempt ${attempt} of ${ctx.retry.maxRetries + 1})`);
          if (!retryableOutcome || deadline?.signal.aborted) {
            if (outcome.response?.ok) config.budget?.release(spent);
            return settle(outcome);
          }
          if (attempt > ctx.retry.maxRetries) return settle(outcome);
          const requested = outcome.response && requestedWaitMs(outcome.response.headers);
          if (requested !== undefined && requested > ctx.retry.maxRetryAfterMs) {
            config.log("warn", `${label}: server asked to wait ${requested} ms, more than maxRetryAfterMs; not retrying`);
            return settle(outcome);
          }
          const wait = requested ?? backoffDelay(attempt, ctx.retry, config.random);
          if (deadline && wait >= deadline.remaining()) return settle(outcome);
          const cost = config.budget ? config.budget.acquire(outcome.error instanceof Enable3TimeoutError) : 0;
          if (cost === undefined) {
            config.log("warn", `${label}: retry budget exhausted; failing fast`);
            return settle(outcome);
          }
          spent += cost;
          config.log("debug", `${label}: retrying in ${wait} ms`);
          await waitBeforeRetry(wait, ctx, deadline?.signal);
        }
      } finally {
        deadline?.clear();
      }
    };
}

function settle(outcome: Outcome): Response {
  if (outcome.error) throw outcome.error;
  return outcome.response;
}

async function attemptOnce(
  fetchImpl: typeof fetch,
  request: Request,
  body: ArrayBuffer | undefined,
  ctx: CallContext,
  deadline: AbortSignal | undefined,
): Promise<Outcome> {
  const timer = startTimer(ctx.timeoutMs);
  const signals = [timer.signal, ctx.signal, deadline].filter((s): s is AbortSignal => s !== undefined);
  try {
    const response = await fetchImpl(request.url, {
      method: request.method,
      headers: request.headers,
      body,
      redirect: request.redirect,
      signal: AbortSignal.any(signals),
    });
    const buffered = await response.arrayBuffer();
    const keepBody = buffered.byteLength > 0 && !NULL_BODY_STATUSES.has(response.status);
    return {
      response: new Response(keepBody ? buffered : null, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      }),
    };
  } catch (cause) {
    return { error: transportError(cause, ctx, timer.signal.aborted, deadline?.aborted ?? false) };
  } finally {
    timer.clear();
  }
}

function transportError(cause: unknown, ctx: CallContext, attemptTimedOut: boolean, deadlinePassed: boolean): Enable3Error {
  const context = { operation: ctx.operation, method: ctx.method, path: ctx.path, attempts: ctx.attempts, cause };
  const label = `${ctx.operation} ${ctx.method} ${ctx.path}`;
  if (ctx.signal?.aborted) return new Enable3AbortError(`${label} was aborted by the caller`, context);
  if (deadlinePassed) return new Enable3TimeoutError(`${label} exceeded its deadline of ${ctx.deadlineMs} ms`, context);
  if (attemptTimedOut) return new Enable3TimeoutError(`${label} timed out after ${ctx.timeoutMs} ms`, context);
  return new Enable3ConnectionError(`${label} could not complete: ${describeCause(cause)}`, context);
}

async function waitBeforeRetry(ms: number, ctx: CallContext, deadline: AbortSignal | undefined): Promise<void> {
  const signals = [ctx.signal, deadline].filter((s): s is AbortSignal => s !== undefined);
  try {
    await sleep(ms, signals.length ? AbortSignal.any(signals) : undefined);
  } catch (cause) {
    throw transportError(cause, ctx, false, deadline?.aborted ?? false);
  }
}

/** "fetch failed" says little; its cause names the system error (ECONNRESET, ECONNREFUSED…). */
function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = cause.cause as { code?: string; message?: string } | undefined;
  return inner?.code ? `${cause.message} (${inner.code})` : inner?.message ? `${cause.message} (${inner.message})` : cause.message;
}

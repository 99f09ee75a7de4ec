// The retrying fetch handed to openapi-fetch. It sits under openapi-fetch (not in middleware) so it
// can rebuild the request from a buffered body on every attempt, and it buffers each response body
// inside the attempt so a reset or a stall mid-body is retried like any other transport failure.
import type { RetryBudget } from "./retry-budget.js";
import { Enable3AbortError, Enable3ConnectionError, Enable3Error, Enable3TimeoutError } from "../errors.js";
import type { Log } from "./log.js";
import type { CallSettings } from "./options.js";
import { backoffDelay, requestedWaitMs, sleep } from "./retry-policy.js";
import { outgoing, PlainResponse, type Outgoing, type PlainRequest } from "./plain-carriers.js";

/** One SDK call: its settings, and what the transport learns while making it. */
export interface CallContext {
  operation: string;
  settings: CallSettings;
  attempts: number;
  method?: string;
  path?: string;
}

export interface TransportConfig {
  fetch: typeof fetch;
  budget: RetryBudget | undefined;
  log: Log;
}

type Outcome = { response: Response | PlainResponse; error?: undefined } | { error: Enable3Error; response?: undefined };

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

export function createTransport(config: TransportConfig): (ctx: CallContext) => typeof fetch {
  return (ctx) =>
    (async (input: RequestInfo | URL | PlainRequest, init?: RequestInit): Promise<Response> => {
      const request = await outgoing(input, init);
      ctx.method = request.method;
      ctx.path = urlPath(request.url);
      const deadlineAt = Date.now() + ctx.settings.deadlineMs;
      const { log } = config;
      let spent = 0;
      for (let attempt = 1; ; attempt++) {
        ctx.attempts = attempt;
        const outcome = await attemptOnce(config.fetch, request, ctx, deadlineAt);
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
        await sleep(wait, ctx.settings.signal).catch((cause: unknown) => {
          throw transportError(cause, ctx, "aborted");
        });
      }
    }) as typeof fetch;
}

function unwrap(outcome: Outcome): Response {
  if (outcome.error) throw outcome.error;
  // a PlainResponse has every member openapi-fetch reads for the SDK's own calls
  return outcome.response as Response;
}

/**
 * One attempt under one AbortController, aborted by whichever comes first: the attempt's timeout, the
 * call's deadline (one timer for both) or the caller's signal. Node makes every AbortSignal costly to
 * create, so an attempt makes exactly one and combines the rest by hand rather than with AbortSignal.any.
 */
async function attemptOnce(fetchImpl: typeof fetch, request: Outgoing, ctx: CallContext, deadlineAt: number): Promise<Outcome> {
  const { signal, timeoutMs } = ctx.settings;
  if (signal?.aborted) return { error: transportError(signal.reason, ctx, "aborted") };
  const controller = new AbortController();
  const untilDeadline = deadlineAt - Date.now();
  const why: "timeout" | "deadline" = untilDeadline < timeoutMs ? "deadline" : "timeout";
  const timer = setTimeout(() => controller.abort(new DOMException(`${why} reached`, "TimeoutError")), Math.min(timeoutMs, untilDeadline));
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const response = await fetchImpl(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: request.redirect,
      // With redirect "error", `window: null` (the only value fetch accepts) spares Node's fetch a clone
      // of every request and a tee of its body: about a fifth of a POST's CPU time.
      window: null,
      signal: controller.signal,
    });
    if (request.plain) return { response: new PlainResponse(response.status, response.headers, await response.text()) };
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
    return { error: transportError(cause, ctx, signal?.aborted ? "aborted" : controller.signal.aborted ? why : "network") };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

function transportError(cause: unknown, ctx: CallContext, kind: "aborted" | "timeout" | "deadline" | "network"): Enable3Error {
  const context = { ...contextOf(ctx), cause };
  const label = labelOf(ctx);
  if (kind === "aborted") return new Enable3AbortError(`${label} was aborted by the caller`, context);
  if (kind === "deadline") return new Enable3TimeoutError(`${label} exceeded its deadline of ${ctx.settings.deadlineMs} ms`, context);
  if (kind === "timeout") return new Enable3TimeoutError(`${label} timed out after ${ctx.settings.timeoutMs} ms`, context);
  const described = describeCause(cause);
  // Node says "unexpected redirect", Deno "redirects are not allowed": not retryable, and not followed.
  if (/redirect/i.test(described)) {
    return new Enable3Error(`${label} was answered with a redirect, which the SDK does not follow (it would send the API key along); check baseUrl`, context);
  }
  return new Enable3ConnectionError(`${label} could not complete: ${described}`, context);
}

/** "getUserBalance GET /api/…": how log lines and error messages name a call. */
export function labelOf(ctx: CallContext): string {
  return `${ctx.operation} ${ctx.method} ${ctx.path}`;
}

/** What an error carries about the call that failed. */
export function contextOf(ctx: CallContext) {
  return { operation: ctx.operation, method: ctx.method, path: ctx.path, attempts: ctx.attempts };
}

/** The path without parsing a whole URL: the request URL is always absolute here. */
function urlPath(url: string): string {
  const afterHost = url.indexOf("/", url.indexOf("//") + 2);
  if (afterHost === -1) return "/";
  const end = url.search(/[?#]/);
  return url.slice(afterHost, end === -1 ? undefined : end);
}

/** "fetch failed" says little; its cause names the system error (ECONNRESET, ECONNREFUSED…). */
function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = cause.cause as { code?: string; message?: string } | undefined;
  return inner?.code ? `${cause.message} (${inner.code})` : inner?.message ? `${cause.message} (${inner.message})` : cause.message;
}

// Runs one operation: per-call settings, its openapi-fetch call (through the adapter) over the retry
// loop, and the mapping of what the server answered to data or a typed error.
import { Enable3Error } from "../errors/base.js";
import { apiErrorFor, beforeServerError, contextOf, invalidResponseError, requestIdOf, withIdempotencyKey } from "../errors/messages.js";
import { type CallContext, type CallSettings, type NetworkRoute, newCallContext, SILENT_SCOPE } from "../transport/contract.js";
import type { Redactor } from "../transport/redact.js";
import { urlPath } from "../transport/retry-loop.js";
import type { OperationId } from "../types/api.js";
import type { ApiAnswer, ApiCall, OpenApiClients } from "./openapi-adapter.js";
import { type ClientSettings, type RequestOptions, resolveCallSettings } from "./options.js";
import type { ResponseCheck } from "./response-checks.js";
import type { ResponseSink } from "./response-promise.js";

/** One call's run with its settings resolved (the outbox resolves them once for all its calls). */
export type ResolvedCall = <T>(
  operation: OperationId,
  settings: CallSettings,
  apiCall: ApiCall,
  sink: ResponseSink | undefined,
  expect: ResponseCheck<T> | undefined,
  idempotencyKey: string | undefined,
) => Promise<T | undefined>;

/**
 * `call` checks a method's per-call options and runs it; `callResolved` runs a call whose settings are
 * already resolved. `route` (how the client reaches the API) goes into a 401 or 403's message: behind
 * a proxy, the IP Enable3 sees is the proxy's.
 */
export function createCaller(settings: ClientSettings, clients: OpenApiClients, redact: Redactor, route: NetworkRoute) {
  const callResolved: ResolvedCall = async <T>(
    operation: OperationId,
    callSettings: CallSettings,
    apiCall: ApiCall,
    sink: ResponseSink | undefined,
    expect: ResponseCheck<T> | undefined,
    idempotencyKey: string | undefined,
  ) => {
    const ctx = newCallContext(operation, callSettings, idempotencyKey);
    let answer: ApiAnswer;
    try {
      answer = (await clients.run(ctx, apiCall)).response;
    } catch (e) {
      if (e instanceof Enable3Error) throw e;
      throw beforeServerError(operation, e, contextOf(ctx), redact);
    }
    // what .withResponse() reads, if asked: references only, nothing built here
    if (sink) {
      sink.ctx = ctx;
      sink.status = answer.status;
      sink.headers = answer.headers;
      sink.redact = redact;
    }
    // `retryable` in the context is the retry loop's verdict on this answer
    if (!answer.ok)
      ended(ctx, answer, apiErrorFor(answer.status, redact(errorBody(answer.bodyText)), failureContext(ctx, answer, redact), route));
    const body = expect ? parseJson(answer.bodyText) : undefined;
    if (expect && !expect.matches(body)) {
      // a 2xx never had its path read (the loop reads it for failures only): a message needs it now
      if (ctx.url !== undefined) ctx.path ??= redact(urlPath(ctx.url));
      ended(
        ctx,
        answer,
        invalidResponseError(ctx, answer.status, expect.describe, redact(body ?? answer.bodyText), failureContext(ctx, answer, redact)),
      );
    }
    ended(ctx, answer, undefined);
    return body as T | undefined;
  };

  function call(
    operation: OperationId,
    options: RequestOptions | undefined,
    apiCall: ApiCall,
    sink: ResponseSink | undefined,
    expect?: undefined,
    idempotencyKey?: string,
  ): Promise<void>;
  function call<T>(
    operation: OperationId,
    options: RequestOptions | undefined,
    apiCall: ApiCall,
    sink: ResponseSink | undefined,
    expect: ResponseCheck<T>,
  ): Promise<T>;
  // not async itself: the call's own promise is the one returned (no second promise and its ticks per call)
  function call<T>(
    operation: OperationId,
    options: RequestOptions | undefined,
    apiCall: ApiCall,
    sink: ResponseSink | undefined,
    expect?: ResponseCheck<T>,
    idempotencyKey?: string,
  ): Promise<T | undefined> {
    let callSettings: CallSettings;
    try {
      callSettings = resolveCallSettings(settings, options, operation);
    } catch (e) {
      return Promise.reject(withIdempotencyKey(e, operation, idempotencyKey));
    }
    return callResolved(operation, callSettings, apiCall, sink, expect, idempotencyKey);
  }
  return { call, callResolved };
}

/**
 * The call ends here, with the answer read: its telemetry hears how (the retry loop told the attempts),
 * and an error is thrown. A call nothing observes builds nothing for it.
 */
function ended(ctx: CallContext, answer: ApiAnswer, error: Enable3Error | undefined): void {
  const scope = ctx.scope;
  if (scope !== undefined && scope !== SILENT_SCOPE) scope.ended(error ? { status: answer.status, error } : { status: answer.status });
  if (error) throw error;
}

/** Only a failure needs the request id (no header look-ups on the success path); a server may echo anything in it, the key included. */
function failureContext(ctx: CallContext, answer: ApiAnswer, redact: Redactor) {
  return { ...contextOf(ctx), serverRequestId: redact(requestIdOf(answer.headers)) };
}

/** An error body as JSON when it is JSON, else its text; undefined when empty. */
function errorBody(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

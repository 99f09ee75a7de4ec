// Runs one operation: per-call settings, its openapi-fetch call (through the adapter) over the retry
// loop, and the mapping of what the server answered to data or a typed error.
import { Enable3Error } from "../errors/classes.js";
import { apiErrorFor, beforeServerError, contextOf, invalidResponseError, withIdempotencyKey } from "../errors/messages.js";
import type { CallContext, CallSettings, NetworkRoute } from "../transport/contract.js";
import type { Redactor } from "../transport/redact.js";
import { urlPath } from "../transport/retry-loop.js";
import type { OperationId } from "../types/api.js";
import type { ApiAnswer, ApiCall, OpenApiClients } from "./openapi-adapter.js";
import { type ClientSettings, type RequestOptions, resolveCallSettings } from "./options.js";
import type { ResponseCheck } from "./response-checks.js";
import { type ResponseSink, requestIdOf } from "./response-promise.js";

/** `route` (how the client reaches the API) goes into a 401 or 403's message: behind a proxy, the IP Enable3 sees is the proxy's. */
export function createCaller(settings: ClientSettings, clients: OpenApiClients, redact: Redactor, route: NetworkRoute) {
  async function call(
    operation: OperationId,
    options: RequestOptions | undefined,
    apiCall: ApiCall,
    sink: ResponseSink | undefined,
    expect?: undefined,
    idempotencyKey?: string,
  ): Promise<void>;
  async function call<T>(
    operation: OperationId,
    options: RequestOptions | undefined,
    apiCall: ApiCall,
    sink: ResponseSink | undefined,
    expect: ResponseCheck<T>,
  ): Promise<T>;
  async function call<T>(
    operation: OperationId,
    options: RequestOptions | undefined,
    apiCall: ApiCall,
    sink: ResponseSink | undefined,
    expect?: ResponseCheck<T>,
    idempotencyKey?: string,
  ) {
    let callSettings: CallSettings;
    try {
      callSettings = resolveCallSettings(settings, options, operation);
    } catch (e) {
      throw withIdempotencyKey(e, operation, idempotencyKey);
    }
    const ctx: CallContext = { operation, settings: callSettings, attempts: 0, idempotencyKey };
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
    // the call ends here, with the answer read: its telemetry hears how (the retry loop told the attempts)
    const fail = (error: Enable3Error): never => {
      ctx.scope?.ended({ status: answer.status, error });
      throw error;
    };
    // `retryable` in the context is the retry loop's verdict on this answer
    if (!answer.ok) fail(apiErrorFor(answer.status, redact(errorBody(answer.bodyText)), failureContext(ctx, answer, redact), route));
    const body = expect ? parseJson(answer.bodyText) : undefined;
    if (expect && !expect.matches(body)) {
      // a 2xx never had its path read (the loop reads it for failures only): a message needs it now
      if (ctx.url !== undefined) ctx.path ??= redact(urlPath(ctx.url));
      fail(invalidResponseError(ctx, answer.status, expect.describe, redact(body ?? answer.bodyText), failureContext(ctx, answer, redact)));
    }
    ctx.scope?.ended({ status: answer.status });
    return body;
  }
  return call;
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

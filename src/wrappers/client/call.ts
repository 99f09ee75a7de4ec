// Runs one operation: per-call settings, the openapi-fetch call over the retrying transport, and the
// mapping of its result to data or a typed error.
import { apiErrorFor, Enable3Error, Enable3InvalidResponseError } from "../errors.js";
import { type CallContext, contextOf, labelOf } from "../transport/call-context.js";
import { type ClientConfig, type RequestOptions, resolveCallSettings } from "../transport/options.js";
import { PlainRequest } from "../transport/plain-carriers.js";
import type { Redactor } from "../transport/redact.js";
import type { OperationId } from "../types.js";
import type { ResponseCheck } from "./response-checks.js";

/** What every openapi-fetch call receives from us. Bodies are read as text and parsed here. */
export interface SendInit {
  fetch: typeof fetch;
  Request: typeof Request;
  headers: Record<string, string> | undefined;
  parseAs: "text";
}

interface FetchResult {
  data?: unknown;
  error?: unknown;
  response: Response;
}

export type Send = (init: SendInit) => Promise<FetchResult>;

const REQUEST_ID_HEADERS = ["x-request-id", "request-id", "x-correlation-id", "x-amzn-requestid"];

export function createCaller(config: ClientConfig, transport: (ctx: CallContext) => typeof fetch, redact: Redactor) {
  async function call(operation: OperationId, options: RequestOptions | undefined, send: Send): Promise<void>;
  async function call<T>(operation: OperationId, options: RequestOptions | undefined, send: Send, expect: ResponseCheck<T>): Promise<T>;
  async function call<T>(operation: OperationId, options: RequestOptions | undefined, send: Send, expect?: ResponseCheck<T>) {
    const settings = resolveCallSettings(config, options);
    const ctx: CallContext = { operation, settings, attempts: 0 };
    let result: FetchResult;
    try {
      result = await send({
        fetch: transport(ctx),
        Request: PlainRequest as unknown as typeof Request,
        headers: settings.headers,
        parseAs: "text",
      });
    } catch (e) {
      if (e instanceof Enable3Error) throw e;
      throw new Enable3Error(`${operation} failed before reaching the server: ${redact(String(e))}`, contextOf(ctx));
    }
    const { response } = result;
    // only a failure needs the request id: no header look-ups on the success path
    // a server may echo anything in a request-id header, the key included
    const failure = () => ({ ...contextOf(ctx), requestId: redact(requestIdOf(response.headers)) });
    if (!response.ok) {
      const retryable = settings.retryOnStatus.includes(response.status);
      throw apiErrorFor(response.status, redact(result.error === "" ? undefined : result.error), { ...failure(), retryable });
    }
    if (!expect) return undefined;
    const body = parseJson(result.data);
    if (!expect.matches(body)) {
      const what = `${labelOf(ctx)} answered HTTP ${response.status} with a body that is not ${expect.describe}`;
      throw new Enable3InvalidResponseError(what, response.status, redact(body ?? result.data), failure());
    }
    return body;
  }
  return call;
}

function requestIdOf(headers: Pick<Headers, "get">): string | undefined {
  for (const name of REQUEST_ID_HEADERS) {
    const value = headers.get(name);
    if (value) return value;
  }
  return undefined;
}

function parseJson(text: unknown): unknown {
  if (typeof text !== "string" || text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

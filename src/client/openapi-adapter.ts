// openapi-fetch behind one file: every method's request is built by openapi-fetch (the design card),
// and this is the only file that knows how it is driven. The methods hand it plain carriers instead of
// WHATWG Request/Response: those wrap every body in a ReadableStream that Node makes costly to create,
// only for the transport to read it straight back (about a third of a call's CPU, measured in bench/).
// openapi-fetch is pinned exactly for that: test/client/openapi-adapter.test.ts records every member it
// reads from the carriers and fails the day a new version reads one they lack.
import createClient, { type Client } from "openapi-fetch";
import type { paths } from "../generated/enable3.js";
import {
  type CallContext,
  type CallSettings,
  type HeaderLookup,
  type HeaderSource,
  newCallContext,
  type OutgoingRequest,
  type TransportResponse,
} from "../transport/contract.js";
import { type Redactor, redactedBytes, redactedHeaders } from "../transport/redact.js";
import type { SendRequest } from "../transport/retry-loop.js";

/** The typed openapi-fetch client `raw` is, for requests the methods do not cover. */
export type RawClient = Client<paths>;

/** What a method's call answered: its status, headers and body text (already read in full). */
export interface ApiAnswer {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: HeaderLookup;
  readonly bodyText: string;
}

/**
 * What each of the methods' openapi-fetch calls is given besides its own path, params and body. `ctx`
 * rides on the request openapi-fetch builds (it hands unknown options to its Request), so one fetch,
 * made once, serves every call: nothing is made per call but this object.
 */
export interface CallInit {
  ctx: CallContext;
  headers: Record<string, string> | undefined;
  parseAs: "text";
}

/** One method's openapi-fetch call on the methods' client, with the init to spread into its options. */
export type ApiCall = (api: RawClient, init: CallInit) => Promise<{ response: unknown }>;

export interface OpenApiClients {
  /** Runs one method's call over `send`, in the call's context; resolves to openapi-fetch's result, whose `response` is what the server answered. */
  run(ctx: CallContext, call: ApiCall): Promise<{ response: ApiAnswer }>;
  /** The client behind `enable3.raw`: real Request/Response objects, the same retry loop. */
  raw: RawClient;
}

/**
 * The methods' client and the raw one, on the same base URL, headers and retry loop. The methods'
 * client is apart from `raw`, so middleware a user adds there never sees the plain carriers.
 */
export function createOpenApiClients(
  base: { baseUrl: string; headers: Record<string, string> },
  send: SendRequest,
  rawSettings: CallSettings,
  redact: Redactor,
): OpenApiClients {
  // the client's own headers, written by the transport from a list made once: handed to openapi-fetch,
  // they would be merged into a new Headers per call (twice for a body), each set checked and sorted
  const own = ownHeaders(base);
  const api = createClient<paths>({
    baseUrl: base.baseUrl,
    headers: own.contentType,
    // made once: openapi-fetch otherwise builds a query serializer on every call
    querySerializer: serializeQuery,
    pathSerializer: serializePath,
    // the methods' bodies are JSON objects: no FormData or form-encoding checks per call
    bodySerializer: serializeBody,
    Request: PlainRequest as unknown as typeof Request,
    fetch: (async (request: PlainRequest) => {
      request.headers = new CallHeaders(own.pairs, request.headers as Headers, request.ctx.settings.headers !== undefined);
      return new PlainResponse(await send(request, request.ctx));
    }) as unknown as typeof fetch,
  });
  const raw = createClient<paths>({
    ...base,
    // not following redirects is the default here too; a call may still pass `redirect: "follow"`
    redirect: "error",
    // raw calls get the same retries, with settings of their own per request
    fetch: async (input: RequestInfo | URL, init?: RequestInit) =>
      rawAnswer(send, await outgoingOf(input, init), newCallContext("raw", rawSettings), redact),
  });
  return {
    raw,
    run: (ctx, call) => call(api, { ctx, headers: ctx.settings.headers, parseAs: "text" }) as Promise<{ response: PlainResponse }>,
  };
}

/** The request openapi-fetch builds for a method's call (it is constructed as its `Request`). */
export class PlainRequest implements OutgoingRequest {
  readonly url: string;
  readonly method: string;
  /** What openapi-fetch merged (a body's Content-Type, the call's own headers), then with the client's added (CallHeaders). */
  headers: HeaderSource;
  readonly body: string | undefined;
  /** The SDK's own calls never follow a redirect: it would carry X-API-KEY to wherever it points. */
  readonly redirect = "error";
  /** The call this request belongs to (see CallInit). */
  readonly ctx: CallContext;

  constructor(input: string | URL, init: RequestInit & { ctx?: CallContext } = {}) {
    this.url = String(input);
    this.ctx = init.ctx!;
    this.method = init.method ?? "GET";
    this.headers = init.headers instanceof Headers ? init.headers : new Headers(init.headers);
    // the methods' bodies are JSON, serialized by openapi-fetch to a string
    this.body = init.body === undefined || init.body === null ? undefined : String(init.body);
  }
}

/**
 * The client's headers, lowercased and de-duplicated as a Headers does, as one list of name, value; a
 * Content-Type among them stays with openapi-fetch, whose rule puts it over a body's default.
 */
function ownHeaders(base: { headers: Record<string, string> }) {
  const pairs: string[] = [];
  let contentType: Record<string, string> | undefined;
  new Headers(base.headers).forEach((value, name) => {
    if (name === "content-type") contentType = { [name]: value };
    else pairs.push(name, value);
  });
  return { pairs, contentType };
}

/** A method's request headers: the client's (but those the call sets itself, which win), then what openapi-fetch merged. */
class CallHeaders implements HeaderSource {
  private readonly own: readonly string[];
  private readonly merged: Headers;
  /** The call has headers of its own: a client header they name is left out. */
  private readonly overridden: boolean;
  constructor(own: readonly string[], merged: Headers, overridden: boolean) {
    this.own = own;
    this.merged = merged;
    this.overridden = overridden;
  }
  forEach(callback: (value: string, name: string) => void): void {
    const { own, merged } = this;
    for (let i = 0; i < own.length; i += 2) if (!this.overridden || !merged.has(own[i]!)) callback(own[i + 1]!, own[i]!);
    merged.forEach(callback);
  }
}

const utf8 = new TextDecoder();

/** A response whose body was read in full during the attempt, served back to openapi-fetch from memory. */
export class PlainResponse implements ApiAnswer {
  readonly ok: boolean;
  readonly status: number;
  readonly headers: HeaderLookup;
  private readonly bytes: Uint8Array;
  private decoded: string | undefined;
  constructor(response: TransportResponse) {
    this.status = response.status;
    this.headers = response.headers;
    this.bytes = response.body;
    this.ok = response.status >= 200 && response.status < 300;
  }
  /** The body as text, decoded once. */
  get bodyText(): string {
    this.decoded ??= utf8.decode(this.bytes);
    return this.decoded;
  }
  /** The SDK's calls read every body as text (`parseAs: "text"`) and parse it themselves. */
  async text(): Promise<string> {
    return this.bodyText;
  }
}

/**
 * A raw call over the retry loop: its answer as a real Response (a non-2xx is data to a raw caller, not
 * an error), redacted as errors are: a server that echoes the key or a proxy's password (in its body,
 * a header or its status text) hands it to no caller.
 */
async function rawAnswer(send: SendRequest, request: OutgoingRequest, ctx: CallContext, redact: Redactor): Promise<Response> {
  const response = await send(request, ctx);
  ctx.scope?.ended({ status: response.status });
  return bufferedResponse(response, redact);
}

/** What the retry loop sends for a raw call's real Request: its body read once, so every attempt can resend it. */
async function outgoingOf(input: RequestInfo | URL, init?: RequestInit): Promise<OutgoingRequest> {
  const request = input instanceof Request ? input : new Request(input, init);
  const body = request.body ? await request.arrayBuffer() : undefined;
  return { url: request.url, method: request.method, headers: request.headers, body, redirect: request.redirect, signal: request.signal };
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** A real Response holding a body already read (none for statuses that cannot have one), secrets redacted. */
function bufferedResponse(response: TransportResponse, redact: Redactor): Response {
  const keepBody = response.body.byteLength > 0 && !NULL_BODY_STATUSES.has(response.status);
  const headers = redactedHeaders(response.headers, redact);
  const body = keepBody ? redactedBytes(response.body, redact) : null;
  return new Response(body, { status: response.status, statusText: redact(response.statusText), headers });
}

/** A method's body as JSON: what openapi-fetch's default does for them, without its per-call checks. */
function serializeBody(body: unknown): string {
  return JSON.stringify(body);
}

/**
 * The methods' one query (getWidgetUrl's flat strings): names and values encoded alike, own keys only,
 * so no parameter name can add another parameter ("a&b") or end the query ("#frag").
 */
function serializeQuery(query: Record<string, unknown>): string {
  // widgetQuery gives only strings: nothing undefined to leave out
  return Object.keys(query)
    .map((name) => `${encodeURIComponent(name)}=${encodeURIComponent(query[name] as string)}`)
    .join("&");
}

/**
 * The methods' path parameters: each `{name}` replaced by its value encoded as one segment, as
 * openapi-fetch's default does for the simple style, without its per-call regular expressions.
 */
function serializePath(pathname: string, params: Record<string, unknown>): string {
  let path = pathname;
  // `params` is the methods' own object literal: no inherited keys to skip
  for (const name in params) path = path.replace(`{${name}}`, encodeURIComponent(params[name] as string));
  return path;
}

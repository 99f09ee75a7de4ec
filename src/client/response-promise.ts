// The promise every single-call method returns: a Promise of its data that can also tell what the
// response said (`.withResponse()`, as Stainless's SDKs do). The call records where that is (its
// context and its answer, already read); nothing about it is built unless someone asks.
import { requestIdOf } from "../errors/messages.js";
import type { CallContext, HeaderLookup } from "../transport/contract.js";
import { type Redactor, redactedHeaders } from "../transport/redact.js";

/** What the response to a call said, besides its data (see {@link Enable3Promise.withResponse}). */
export interface ResponseInfo {
  /** The HTTP status of the response the call ended with. */
  status: number;
  /** Its headers, with the key and proxy credentials redacted, as errors are. */
  headers: Headers;
  /** The server's own request id (`x-request-id` or similar), when it sent one: quote it to Enable3 support. */
  serverRequestId: string | undefined;
  /** Attempts made, retries included. */
  attempts: number;
}

/** Where a call leaves what `.withResponse()` reads: its context, its answer's headers and status, the redactor. */
export interface ResponseSink {
  ctx?: CallContext | undefined;
  status?: number | undefined;
  headers?: HeaderLookup | undefined;
  redact?: Redactor | undefined;
}

/**
 * A method's promise: await it for the data, as any Promise, or ask `.withResponse()` for the data and
 * the response's status, headers, request id and attempts, from the same single request.
 * @example
 * const { data, response } = await enable3.getUserBalance("u1").withResponse();
 * console.log(data.balance, response.status, response.serverRequestId);
 */
export interface Enable3Promise<T> extends Promise<T> {
  /** The data, and what the response said. Rejects with the call's error, as awaiting the promise does. */
  withResponse(): Promise<WithResponse<T>>;
}

/** What {@link Enable3Promise.withResponse} resolves to. */
export interface WithResponse<T> {
  /** What the method resolves to. */
  data: T;
  /** What the response said: status, headers (redacted), the server's request id, attempts. */
  response: ResponseInfo;
}

/** The promise behind {@link Enable3Promise}: it is its call's sink, so the call writes references, not a new object. */
class ResponsePromise<T> extends Promise<T> implements Enable3Promise<T>, ResponseSink {
  ctx?: CallContext | undefined;
  status?: number | undefined;
  headers?: HeaderLookup | undefined;
  redact?: Redactor | undefined;

  // promises made from this one (then, catch, finally) are plain ones: only the method's own has withResponse
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  withResponse(): Promise<WithResponse<T>> {
    return this.then((data) => ({ data, response: responseInfo(this) }));
  }
}

/** Built only when asked: the plain call never makes it. The redacted copy of the headers is made when they are read. */
function responseInfo(sink: ResponseSink): ResponseInfo {
  const redact: Redactor = sink.redact ?? ((value) => value);
  const requestId = sink.headers ? requestIdOf(sink.headers) : undefined;
  let headers: Headers | undefined;
  return {
    status: sink.status ?? 0,
    // most callers read the status or the request id: a Headers copy is the costliest part
    get headers() {
      headers ??= redactedHeaders(sink.headers, redact);
      return headers;
    },
    serverRequestId: requestId === undefined ? undefined : redact(requestId),
    attempts: sink.ctx?.attempts ?? 0,
  };
}

let resolveNext: (value: unknown) => void;
let rejectNext: (reason: unknown) => void;
// one executor for every promise: no closure is made per call to capture its resolvers
function capture(resolve: (value: unknown) => void, reject: (reason: unknown) => void) {
  resolveNext = resolve;
  rejectNext = reject;
}

/** An Enable3Promise settled by `run`, which is handed the promise as the sink its call writes to. */
export function respond<T>(run: (sink: ResponseSink) => Promise<T>): Enable3Promise<T> {
  const promise = new ResponsePromise<T>(capture as (resolve: (value: T) => void, reject: (reason: unknown) => void) => void);
  const resolve = resolveNext;
  const reject = rejectNext;
  run(promise).then(resolve, reject);
  return promise;
}

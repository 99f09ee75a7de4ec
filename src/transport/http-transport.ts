// The http transport: one attempt on node:http/node:https over the process's shared connection pools
// (connection-pool.ts). No WHATWG Request/Response, streams or AbortController on the way (one timer
// bounds the attempt, the caller's signal is listened to only when there is one): a fraction of fetch's
// CPU per call. I/O only: the rules it applies are in attempt-policy.ts, shared with the fetch transport.
// Only the `node` export condition loads this file; every other runtime keeps the fetch transport.
import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from "node:http";
import { brotliDecompress, type CompressCallback, gunzip, inflate } from "node:zlib";
import { whenAborted } from "../internal/abort.js";
import {
  abortedAlready,
  armAttemptTimer,
  BodyChunks,
  declaredTooLarge,
  failureOf,
  isRedirect,
  REDIRECT_DRAIN_BYTES,
  refusesRedirects,
} from "./attempt-policy.js";
import { acquirePool, type Pool, ProxyRefused, releasePool } from "./connection-pool.js";
import type {
  Attempt,
  AttemptFailure,
  AttemptOutcome,
  CallContext,
  HeaderLookup,
  OutgoingRequest,
  ProxyRoute,
  Transport,
  TransportResponse,
} from "./contract.js";
import { createFetchAttempt } from "./fetch-transport.js";

/** Thrown to end a request with a known failure, from a timer or a listener. */
class Ended extends Error {
  constructor(readonly failure: AttemptFailure) {
    super(failure.kind);
  }
}

/** The cause of a 101: the API never switches protocols, and node:http would wait on the socket until the timeout. */
const UPGRADE = Object.assign(new Error("the server switched protocols (HTTP 101)"), { code: "ERR_UPGRADE" });

/**
 * The transport of one client. `proxy` is its route (the option or the environment, resolved by the
 * client); `fallbackFetch` serves what node:http does not do here: a raw call that asks to follow redirects.
 * Pools are acquired on a client's first request and released by close(); a call after close() acquires again.
 */
export function createHttpTransport(proxy: ProxyRoute | undefined, fallbackFetch: typeof fetch | undefined): Transport {
  const viaFetch = fallbackFetch ? createFetchAttempt(fallbackFetch) : undefined;
  const pools = new HeldPools(proxy);
  const attempt: Attempt = (request, ctx, deadlineAt, signal) => {
    if (request.redirect === "follow") {
      // the fallback fetch would go around the proxy: following is for direct routes only
      if (viaFetch && !proxy) return viaFetch(request, ctx, deadlineAt, signal);
      const cause = new Error("following redirects is not supported through a proxy; pass redirect: 'error' and follow Location yourself");
      return Promise.resolve({ failure: { kind: "invalid-request", cause } });
    }
    const aborted = abortedAlready(signal);
    if (aborted) return Promise.resolve(aborted);
    const cut = request.url.indexOf("/", request.url.indexOf("//") + 2);
    const pool = pools.for(request.url, cut);
    return new Promise<AttemptOutcome>((resolve) => send(pool, cut, request, ctx, deadlineAt, signal, resolve));
  };
  return {
    attempt,
    async close() {
      pools.release();
    },
  };
}

/**
 * The pools a client holds: one client talks to one origin (a raw call may name another), so a pool
 * per origin it used, the last one at hand without cutting the URL.
 */
class HeldPools {
  private readonly held = new Map<string, Pool>();
  private last: { origin: string; pool: Pool } | undefined;
  constructor(private readonly proxy: ProxyRoute | undefined) {}

  /** The pool for `url`, whose origin ends at `cut` (-1: the whole URL). */
  for(url: string, cut: number): Pool {
    const last = this.last;
    if (last && cut === last.origin.length && url.startsWith(last.origin)) return last.pool;
    const origin = cut === -1 ? url : url.slice(0, cut);
    let pool = this.held.get(origin);
    if (!pool) {
      pool = acquirePool(origin, this.proxy);
      this.held.set(origin, pool);
    }
    this.last = { origin, pool };
    return pool;
  }

  release(): void {
    for (const pool of this.held.values()) releasePool(pool);
    this.held.clear();
    this.last = undefined;
  }
}

/** Raw headers, in the order written: node:http stores them as they are (no Host added: it is ours). */
function rawHeaders(request: OutgoingRequest, host: string, body: string | Buffer | undefined): string[] {
  const headers: string[] = ["host", host];
  request.headers.forEach((value, name) => {
    headers.push(name, value);
  });
  if (body !== undefined) headers.push("content-length", String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength));
  return headers;
}

/** Sends one attempt (its path from `cut`, where the URL's origin ends) and resolves its outcome once: the answer, the timer, the caller's signal or an error, whichever comes first. */
function send(
  pool: Pool,
  cut: number,
  request: OutgoingRequest,
  ctx: CallContext,
  deadlineAt: number,
  signal: AbortSignal | undefined,
  resolve: (outcome: AttemptOutcome) => void,
): void {
  const path = cut === -1 ? "/" : request.url.slice(cut);
  // a string body (every method's JSON) goes out in one write with the headers; a Buffer would take two
  const body = request.body === undefined ? undefined : typeof request.body === "string" ? request.body : bodyBuffer(request.body);
  const headers = rawHeaders(request, pool.host, body);
  let settled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const finish = (outcome: AttemptOutcome) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    stopWaiting?.();
    resolve(outcome);
  };
  const fail = (failure: AttemptFailure) => {
    req.destroy(new Ended(failure));
    finish({ failure });
  };
  // listened to only when the caller gave a signal: most calls have none
  let stopWaiting: (() => void) | undefined;
  let req: ClientRequest;
  try {
    req = pool.request({ hostname: pool.hostname, port: pool.port, path, method: request.method, headers, agent: pool.agent }, (res) =>
      receive(res, request, ctx, finish, fail),
    );
  } catch (cause) {
    // node:http refuses some requests synchronously (a path it will not send): nothing was armed yet
    finish({ failure: { kind: "invalid-request", cause } });
    return;
  }
  // armed only once the request exists, so nothing can fire at a request that was never made
  timer = armAttemptTimer(ctx, deadlineAt, fail);
  if (signal) stopWaiting = whenAborted(signal, () => fail({ kind: "aborted", cause: signal.reason }));
  req.on("error", (cause) => finish({ failure: cause instanceof Ended ? cause.failure : failureIn(pool, cause) }));
  req.on("upgrade", (_res, socket) => {
    socket.destroy();
    finish({ failure: { kind: "protocol", cause: UPGRADE } });
  });
  req.end(body);
}

/** Reads a response: a refused redirect, a body over the limit, or the body in full (decoded). */
function receive(
  res: IncomingMessage,
  request: OutgoingRequest,
  ctx: CallContext,
  finish: (outcome: AttemptOutcome) => void,
  fail: (failure: AttemptFailure) => void,
): void {
  const status = res.statusCode ?? 0;
  if (refusesRedirects(request) && isRedirect({ status })) {
    drain(res);
    finish({ failure: { kind: "redirect", status, location: header(res.headers, "location") } });
    return;
  }
  const limit = ctx.settings.maxResponseBytes;
  if (declaredTooLarge(res.headers["content-length"], limit)) {
    fail({ kind: "too-large", status });
    return;
  }
  const chunks = new BodyChunks(limit);
  res.on("data", (chunk: Buffer) => {
    if (!chunks.add(chunk)) fail({ kind: "too-large", status });
  });
  res.on("end", () => {
    const encoding = res.headers["content-encoding"];
    if (encoding === undefined || chunks.empty) return finish({ response: responseOf(res, status, chunks.bytes()) });
    decode(encoding, chunks.bytes(), limit).then(
      (decoded) => finish({ response: responseOf(res, status, decoded) }),
      (failure: AttemptFailure) => finish({ failure: failure.kind === "too-large" ? { kind: "too-large", status } : failure }),
    );
  });
  // a reset mid-body: the response emits an error ("aborted", ECONNRESET)
  res.on("error", (cause) => finish({ failure: { kind: "network", cause } }));
}

/** A failure on the way: a tunnel the proxy would not open is the proxy's; everything else by its code. */
function failureIn(pool: Pool, cause: unknown): AttemptFailure {
  if (pool.proxy && cause instanceof ProxyRefused) return { kind: "proxy", proxy: pool.proxy, status: cause.status, cause: cause.cause };
  return failureOf(cause);
}

/**
 * A refused redirect's body, read so its socket can serve the next request, but only when it declares
 * a short length; anything longer (or of unknown length) closes the socket instead of being pulled.
 */
function drain(res: IncomingMessage): void {
  const declared = res.headers["content-length"];
  if (declared === undefined || Number(declared) > REDIRECT_DRAIN_BYTES) return void res.destroy();
  const stall = setTimeout(() => res.destroy(), 1_000);
  res.once("close", () => clearTimeout(stall));
  res.resume();
}

/** The codings fetch decodes, by node:zlib: a body is capped on what it decodes to (a gzip bomb is refused). */
const DECODERS: Record<string, (input: Uint8Array, options: { maxOutputLength: number }, done: CompressCallback) => void> = {
  gzip: gunzip,
  "x-gzip": gunzip,
  deflate: inflate,
  br: brotliDecompress,
};

/** The body in its Content-Encoding decoded; a coding fetch does not decode either is passed on as it came. */
function decode(encoding: string, body: Uint8Array, limit: number): Promise<Uint8Array> {
  const decoder = DECODERS[encoding.trim().toLowerCase()];
  if (!decoder) return Promise.resolve(body);
  return new Promise((resolve, reject) =>
    decoder(body, { maxOutputLength: limit }, (error, output) => {
      if (!error) return resolve(output);
      // zlib's own name for output past maxOutputLength
      reject(
        (error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE"
          ? { kind: "too-large", status: 0 }
          : { kind: "protocol", cause: error },
      );
    }),
  );
}

function bodyBuffer(body: unknown): Buffer {
  if (typeof body === "string") return Buffer.from(body);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return Buffer.from(String(body));
}

function header(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name];
  return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
}

/** Response headers read through node:http's own object (no copy). */
class IncomingHeaders implements HeaderLookup {
  constructor(private readonly headers: IncomingHttpHeaders) {}
  get(name: string): string | null {
    return header(this.headers, name.toLowerCase());
  }
  forEach(callback: (value: string, name: string) => void): void {
    for (const [name, value] of Object.entries(this.headers)) {
      if (value !== undefined) for (const v of Array.isArray(value) ? value : [value]) callback(v, name);
    }
  }
}

function responseOf(res: IncomingMessage, status: number, body: Uint8Array): TransportResponse {
  return { status, statusText: res.statusMessage ?? "", headers: new IncomingHeaders(res.headers), body };
}

// The http transport: one attempt on node:http/node:https with a keep-alive Agent per client. No
// WHATWG Request/Response, streams or AbortController on the way (a plain timer bounds the attempt,
// the caller's signal is listened to only when there is one): a fraction of fetch's CPU per call.
// Only the `node` export condition loads this file; every other runtime keeps the fetch transport.
import { type ClientRequest, Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Attempt, AttemptFailure, AttemptOutcome, HeaderLookup, Transport, TransportResponse } from "./contract.js";
import { createFetchAttempt, isRedirect } from "./fetch-transport.js";

/** Thrown to end a request with a known failure, from a timer or a listener. */
class Ended extends Error {
  constructor(readonly failure: AttemptFailure) {
    super(failure.kind);
  }
}

/** `fallbackFetch` serves what node:http does not do here: a raw call that asks to follow redirects. */
export function createHttpTransport(fallbackFetch: typeof fetch | undefined): Transport {
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  const viaFetch = fallbackFetch ? createFetchAttempt(fallbackFetch) : undefined;
  // one client talks to one origin: parse it once, not a whole URL per attempt
  const origins = new Map<string, { secure: boolean; hostname: string; port: string }>();
  const originOf = (origin: string) => {
    let parsed = origins.get(origin);
    if (!parsed) {
      const url = new URL(origin);
      parsed = { secure: url.protocol === "https:", hostname: url.hostname.replace(/^\[|\]$/g, ""), port: url.port };
      origins.set(origin, parsed);
    }
    return parsed;
  };
  const attempt: Attempt = (request, ctx, deadlineAt, signal) => {
    if (request.redirect === "follow" && viaFetch) return viaFetch(request, ctx, deadlineAt, signal);
    if (signal?.aborted) return Promise.resolve({ failure: { kind: "aborted", cause: signal.reason } });
    const { timeoutMs, maxResponseBytes } = ctx.settings;
    const cut = request.url.indexOf("/", request.url.indexOf("//") + 2);
    const { secure, hostname, port } = originOf(cut === -1 ? request.url : request.url.slice(0, cut));
    const path = cut === -1 ? "/" : request.url.slice(cut);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    // a string body (every method's JSON) goes out in one write with the headers; a Buffer would take two
    const body = request.body === undefined ? undefined : typeof request.body === "string" ? request.body : bodyBuffer(request.body);
    if (body !== undefined) headers["content-length"] = String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength);
    return new Promise<AttemptOutcome>((resolve) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (outcome: AttemptOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        resolve(outcome);
      };
      const fail = (failure: AttemptFailure) => {
        req.destroy(new Ended(failure));
        finish({ failure });
      };
      const onAbort = () => fail({ kind: "aborted", cause: signal?.reason });
      let req: ClientRequest;
      try {
        req = (secure ? httpsRequest : httpRequest)(
          { hostname, port, path, method: request.method, headers, agent: secure ? agents.https : agents.http },
          (res) => {
            const status = res.statusCode ?? 0;
            if ((request.redirect === "error" || request.redirect === undefined) && isRedirect({ status })) {
              res.resume();
              return finish({ failure: { kind: "redirect", status, location: header(res.headers, "location") } });
            }
            if (Number(res.headers["content-length"] ?? 0) > maxResponseBytes) return fail({ kind: "too-large", status });
            const chunks: Buffer[] = [];
            let size = 0;
            res.on("data", (chunk: Buffer) => {
              size += chunk.byteLength;
              if (size > maxResponseBytes) return fail({ kind: "too-large", status });
              chunks.push(chunk);
            });
            res.on("end", () => finish({ response: responseOf(res, status, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)) }));
            // a reset mid-body: the response emits an error ("aborted", ECONNRESET)
            res.on("error", (cause) => finish({ failure: { kind: "network", cause } }));
          },
        );
      } catch (cause) {
        // node:http refuses some requests synchronously (a path it will not send): nothing was armed yet
        return finish({ failure: { kind: "invalid-request", cause } });
      }
      // armed only once the request exists, so nothing can fire at a request that was never made
      const untilDeadline = deadlineAt - Date.now();
      const why = untilDeadline < timeoutMs ? "deadline" : "timeout";
      timer = setTimeout(() => fail({ kind: why, cause: new Error(`${why} reached`) }), Math.min(timeoutMs, untilDeadline));
      signal?.addEventListener("abort", onAbort, { once: true });
      req.on("error", (cause) => finish(cause instanceof Ended ? { failure: cause.failure } : { failure: { kind: "network", cause } }));
      req.end(body);
    });
  };
  return {
    attempt,
    async close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
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

/** The response, its headers read through a view over node:http's own object (no copy). */
function responseOf(res: IncomingMessage, status: number, body: Buffer): TransportResponse {
  const headers: HeaderLookup = {
    get: (name) => header(res.headers, name.toLowerCase()),
    forEach(callback) {
      for (const [name, value] of Object.entries(res.headers)) {
        if (value !== undefined) for (const v of Array.isArray(value) ? value : [value]) callback(v, name);
      }
    },
  };
  return { status, statusText: res.statusMessage ?? "", headers, body };
}

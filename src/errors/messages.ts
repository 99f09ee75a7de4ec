// Every error message and call label the SDK writes, in one place beside the classes: how a failed
// attempt, an HTTP error, an invalid response or an unsent bulk item reads, and what it carries.
import type { AttemptFailure, CallContext, HeaderLookup, NetworkRoute, ProxyShown, UnusedProxyReason } from "../transport/contract.js";
import {
  Enable3ApiError,
  Enable3AuthenticationError,
  Enable3BadRequestError,
  Enable3ConflictError,
  Enable3InvalidResponseError,
  Enable3NotFoundError,
  Enable3PermissionError,
  Enable3RateLimitError,
  Enable3RedirectError,
  Enable3ResponseTooLargeError,
  Enable3ServerError,
  Enable3UnprocessableEntityError,
} from "./api.js";
import { Enable3Error, type ErrorContext } from "./base.js";
import {
  Enable3AbortError,
  Enable3ConnectionError,
  Enable3ProtocolError,
  Enable3ProxyError,
  Enable3TimeoutError,
  Enable3TlsError,
  type TlsFailureReason,
} from "./network.js";

/** Removes a secret from text or data before it reaches a message (see transport/redact.ts). */
type Redact = <T>(value: T) => T;

/** "getUserBalance GET /api/…": how log lines and error messages name a call. */
export function labelOf(ctx: Pick<CallContext, "operation" | "method" | "path">): string {
  return `${ctx.operation} ${ctx.method} ${ctx.path}`;
}

/** What an error carries about the call that failed; `retryable` is the retry policy's verdict. */
export function contextOf(ctx: CallContext): ErrorContext {
  const context: ErrorContext = {
    operation: ctx.operation,
    method: ctx.method,
    path: ctx.path,
    attempts: ctx.attempts,
    retryable: ctx.retryable,
  };
  if (ctx.idempotencyKey !== undefined) context[idempotencyField(ctx.operation)] = ctx.idempotencyKey;
  return context;
}

/** The response headers that may hold the server's request id, in the order they are looked for. */
export const REQUEST_ID_HEADERS = ["x-request-id", "request-id", "x-correlation-id", "x-amzn-requestid"];

/** The server's request id from its headers, if it sent one (not yet redacted): a failure's context and `.withResponse()` carry it. */
export function requestIdOf(headers: HeaderLookup): string | undefined {
  for (const name of REQUEST_ID_HEADERS) {
    const value = headers.get(name);
    if (value) return value;
  }
  return undefined;
}

/** The field that names an operation's idempotency key, on its body and on its errors: a revenue report's `requestId`, an event's `id`. */
export function idempotencyField(operation: string | undefined): "id" | "requestId" {
  return operation === "sendRevenue" ? "requestId" : "id";
}

/**
 * `error` naming the idempotency key it would have been sent with (an error thrown before the call
 * reached the network: bad input, bad options), unless it already names one. Returns the error.
 */
export function withIdempotencyKey(error: unknown, operation: string, key: unknown): unknown {
  const field = idempotencyField(operation);
  if (error instanceof Enable3Error && typeof key === "string" && error[field] === undefined) {
    (error as { -readonly [F in typeof field]?: string })[field] = key;
  }
  return error;
}

/** The typed error for a failed attempt. Its cause is rebuilt with the key redacted (see safeCause). */
export function attemptError(failure: AttemptFailure, ctx: CallContext, redact: Redact): Enable3Error {
  const label = labelOf(ctx);
  if (failure.kind === "redirect") {
    const to = failure.location ? ` to ${redact(failure.location)}` : "";
    const status = failure.status ? ` (HTTP ${failure.status}${to})` : "";
    return new Enable3RedirectError(
      `${label} was answered with a redirect${status}, which the SDK never follows (the API key would go along); check baseUrl`,
      failure.status,
      contextOf(ctx),
    );
  }
  if (failure.kind === "too-large") {
    const limit = ctx.settings.maxResponseBytes;
    const message = `${label} answered HTTP ${failure.status} with a body over maxResponseBytes (${limit} bytes)`;
    return new Enable3ResponseTooLargeError(message, failure.status, limit, contextOf(ctx));
  }
  const context = { ...contextOf(ctx), cause: safeCause(failure.cause, redact) };
  switch (failure.kind) {
    case "aborted":
      return new Enable3AbortError(`${label} was aborted by the caller`, context);
    case "deadline":
      return new Enable3TimeoutError(`${label} exceeded its deadline of ${ctx.settings.deadlineMs} ms`, context);
    case "timeout":
      return new Enable3TimeoutError(`${label} timed out after ${ctx.settings.timeoutMs} ms`, context);
    case "invalid-request":
      return new Enable3Error(`${label} could not be sent: ${redact(describeCause(failure.cause))}`, context, "request_invalid");
    case "tls":
      return tlsError(label, ctx.host ?? "the API", failure.cause, context);
    case "protocol":
      return new Enable3ProtocolError(`${label} got ${protocolProblem(failure.cause, redact)}; not retried`, context);
    case "proxy":
      return proxyError(label, ctx.host ?? "the API", failure.proxy, failure.status, failure.cause, redact, context);
    default:
      return new Enable3ConnectionError(`${label} could not complete: ${redact(describeCause(failure.cause))}`, context);
  }
}

/** Each TLS failure's reason by its code (or OpenSSL's words), and what to do about it. */
const TLS_REASONS: [RegExp, TlsFailureReason, string][] = [
  [/ALTNAME|HOSTNAME/, "wrong-host", "the certificate is for another host: check baseUrl"],
  [/EXPIRED/, "expired-certificate", "the certificate has expired: check this machine's clock, else its owner must renew it"],
  [/NOT_YET/, "certificate-not-yet-valid", "the certificate is not valid yet: check this machine's clock"],
  [
    /SELF_SIGNED|ISSUER|LEAF|UNTRUSTED|INVALID_CA/,
    "untrusted-certificate",
    "the certificate is not signed by a CA this machine trusts: if a proxy or firewall re-signs TLS, give Node its CA with NODE_EXTRA_CA_CERTS=/path/to/ca.pem",
  ],
  [/WRONG_VERSION|wrong version|PACKET_LENGTH|HTTP_REQUEST/, "not-tls", "the port does not speak TLS: check baseUrl's scheme and port"],
];

function tlsError(label: string, host: string, cause: unknown, context: ErrorContext): Enable3TlsError {
  const code = codeOf(cause) ?? "TLS";
  const found = TLS_REASONS.find(([pattern]) => pattern.test(`${code} ${(cause as Error)?.message}`));
  const [, reason, advice] = found ?? [undefined, "handshake-failed", "the handshake failed"];
  // Node's hostname check keeps the peer's certificate on the error: its names say where it belongs
  const names = (cause as { cert?: { subjectaltname?: string } } | undefined)?.cert?.subjectaltname;
  const detail = names ? `${code}; it names ${names}` : code;
  return new Enable3TlsError(`${label}: TLS with ${host} failed (${detail}): ${advice}; not retried`, host, reason, context);
}

/** What was wrong with a response that is not HTTP as the parsers read it, by their (or zlib's) code. */
function protocolProblem(cause: unknown, redact: Redact): string {
  const code = codeOf(cause) ?? "";
  if (/OVERFLOW/.test(code)) return `headers over Node's limit (${code}; node --max-http-header-size raises it)`;
  if (/^(Z_|ERR_BR|ERR__)/.test(code)) return `a body that does not decode as its Content-Encoding says (${code})`;
  if (code === "ERR_UPGRADE") return "HTTP 101 (a switch of protocols), which the API never answers";
  return `a response that is not valid HTTP (${code} ${redact(firstLine(String((cause as Error)?.message)))}): something between here and the API may be rewriting it`;
}

function proxyError(
  label: string,
  host: string,
  proxy: ProxyShown,
  status: number | undefined,
  cause: unknown,
  redact: Redact,
  context: ErrorContext,
) {
  const problem =
    status === undefined
      ? `could not be reached (${redact(describeCause(cause))})`
      : status === 407
        ? "asked for credentials (HTTP 407): put them in the proxy URL, http://user:password@host:port"
        : `refused the tunnel to ${host} (HTTP ${status})`;
  return new Enable3ProxyError(`${label}: the proxy ${proxy.shown} (from ${proxy.source}) ${problem}`, proxy.shown, status, context);
}

/** A call that failed inside openapi-fetch, before any attempt: a request it could not build. */
export function beforeServerError(operation: string, cause: unknown, context: ErrorContext, redact: Redact): Enable3Error {
  return new Enable3Error(`${operation} failed before reaching the server: ${redact(String(cause))}`, context, "request_invalid");
}

const HINTS: Record<number, string> = {
  401: "check the API key, and that this server's IP is allow-listed in the Enable3 admin panel",
  403: "this server's IP is probably not allow-listed in the Enable3 admin panel",
  409: "duplicate entry",
};

/** Why a proxy that is set is not used, in words (a route's `unusedProxy.because`). */
export const UNUSED_PROXY: Record<UnusedProxyReason, string> = {
  "not-enabled": "Node reads it only with NODE_USE_ENV_PROXY=1; or pass the proxy option",
  "no-proxy": "NO_PROXY matches this host",
  disabled: "the proxy option is false",
  "not-http": "it is not an http(s) URL",
  fetch: "the given fetch decides its own proxy",
  loopback: "a base URL on this machine is never proxied",
};

/** A 401 or 403 is about the IP Enable3 sees: behind a proxy, the proxy's; a proxy set but unused is worth knowing. */
function routeHint(status: number, route: NetworkRoute | undefined): string | undefined {
  const hint = HINTS[status];
  if ((status !== 401 && status !== 403) || !route) return hint;
  const { proxy, unusedProxy } = route;
  if (proxy) return `${hint}; Enable3 sees the egress IP of the proxy ${proxy.shown} (from ${proxy.source})`;
  return unusedProxy ? `${hint}; ${unusedProxy.name} is set but not used (${unusedProxy.because})` : hint;
}

/** How much of the API's own reason goes into a message: enough to read, never a whole page. */
const REASON_MAX = 200;

/** The class for each status family; anything else is an Enable3ApiError. */
function apiErrorClass(status: number): typeof Enable3ApiError {
  if (status >= 500) return Enable3ServerError;
  const byStatus: Record<number, typeof Enable3ApiError> = {
    400: Enable3BadRequestError,
    401: Enable3AuthenticationError,
    403: Enable3PermissionError,
    404: Enable3NotFoundError,
    409: Enable3ConflictError,
    422: Enable3UnprocessableEntityError,
    429: Enable3RateLimitError,
  };
  return byStatus[status] ?? Enable3ApiError;
}

/** The error for a non-2xx response. `body` must already be redacted; `route` says how the client reached the API. */
export function apiErrorFor(status: number, body: unknown, context: ErrorContext, route?: NetworkRoute): Enable3ApiError {
  const text = routeHint(status, route);
  const hint = text ? ` (${text})` : "";
  const where = context.method && context.path ? ` ${context.method} ${context.path}` : "";
  const reason = reasonOf(body);
  const message = `${context.operation ?? "request"}${where} failed with HTTP ${status}${hint}${reason ? `: ${reason}` : ""}`;
  return new (apiErrorClass(status))(message, status, body, context);
}

/** A 2xx whose body breaks the spec. `body` must already be redacted. */
export function invalidResponseError(ctx: CallContext, status: number, expected: string, body: unknown, context: ErrorContext) {
  return new Enable3InvalidResponseError(
    `${labelOf(ctx)} answered HTTP ${status} with a body that is not ${expected}`,
    status,
    body,
    context,
  );
}

/** A bulk item read but never sent: its run was aborted first. */
export function notSentError(reason: unknown): Enable3AbortError {
  return new Enable3AbortError("not sent: the bulk run was aborted", { attempts: 0, code: "not_sent", cause: reason });
}

/** A bulk run's input threw while being read. */
export function sourceReadError(itemsRead: number, cause: unknown): Enable3Error {
  return new Enable3Error(`reading the input failed after ${itemsRead} items: ${String(cause)}`, { cause }, "source_failed");
}

/** Anything thrown that is not an Enable3Error, wrapped so every failure a caller sees is one. */
export function asEnable3Error(error: unknown): Enable3Error {
  return error instanceof Enable3Error ? error : new Enable3Error(`unexpected failure: ${String(error)}`, { cause: error });
}

/** The API's own words from an error body: its `message` or `error` field, else a short text body. */
function reasonOf(body: unknown): string | undefined {
  let text: unknown = body;
  if (typeof body === "object" && body !== null) {
    const fields = body as Record<string, unknown>;
    text = [fields.message, fields.error, fields.detail, fields.title].find((v) => typeof v === "string" && v.trim() !== "");
  } else if (typeof body === "string" && /^\s*</.test(body)) {
    return undefined; // an HTML error page says nothing a status does not
  }
  if (typeof text !== "string") return undefined;
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > REASON_MAX ? `${oneLine.slice(0, REASON_MAX - 1)}…` : oneLine || undefined;
}

/**
 * A copy of an error chain with only name, message and code, the key redacted: runtime errors can
 * hold raw response bytes (undici's HTTPParserError.data) that would print the key with the error.
 */
export function safeCause(cause: unknown, redact: Redact, depth = 0): unknown {
  if (!(cause instanceof Error)) {
    return typeof cause === "string" ? redact(cause) : cause === undefined || cause === null ? cause : redact(String(cause));
  }
  const inner = depth < 3 && cause.cause !== undefined ? { cause: safeCause(cause.cause, redact, depth + 1) } : undefined;
  const copy = new Error(redact(cause.message), inner);
  copy.name = cause.name;
  const code = (cause as { code?: unknown }).code;
  if (typeof code === "string" || typeof code === "number") Object.assign(copy, { code });
  copy.stack = `${copy.name}: ${copy.message}`; // the SDK's frames say nothing the message does not
  return copy;
}

/** A TLS or protocol failure's code: its cause is already the coded error (transport/attempt-policy.ts failureOf). */
function codeOf(cause: unknown): string | undefined {
  const code = (cause as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

/** OpenSSL and parsers write multi-line dumps: the first line says it. */
function firstLine(text: string): string {
  return text.split("\n")[0]!.trim();
}

/** "fetch failed" says little; its cause names the system error (ECONNRESET, ECONNREFUSED…). */
function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = cause.cause as { code?: string; message?: string } | undefined;
  return inner?.code ? `${cause.message} (${inner.code})` : inner?.message ? `${cause.message} (${inner.message})` : cause.message;
}

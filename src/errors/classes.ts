// The error hierarchy. Every error the SDK throws is an Enable3Error; HTTP failures get one class per
// status family so callers can `instanceof` instead of comparing numbers. Messages are written in
// messages.ts, never here: a class says what happened, messages.ts how it reads.

/** A stable, machine-readable name for what went wrong: unlike `message`, it never changes wording. */
export type Enable3ErrorCode =
  | "validation_failed"
  | "request_invalid"
  | "connection_failed"
  | "tls_failed"
  | "protocol_error"
  | "proxy_failed"
  | "timeout"
  | "aborted"
  | "not_sent"
  | "redirect_refused"
  | "response_too_large"
  | "invalid_response"
  | "http_error"
  | "source_failed"
  | "unexpected"
  | "callback_refused"
  | "outbox_failed";

/** Where an error happened: the operation and the request it was making. */
export interface ErrorContext {
  /** operationId from the spec, e.g. `"sendEvent"`. */
  operation?: string | undefined;
  /** The HTTP method. */
  method?: string | undefined;
  /** Path actually requested (no query string, no host). */
  path?: string | undefined;
  /** Attempts made, retries included. */
  attempts?: number | undefined;
  /** The `x-request-id` (or similar) response header, when the server sent one. */
  serverRequestId?: string | undefined;
  /** sendEvent's event id: the idempotency key it sent, or would have sent. */
  id?: string | undefined;
  /** sendRevenue's requestId: the idempotency key it sent, or would have sent. */
  requestId?: string | undefined;
  /** Whether the retry policy retries this outcome (see {@link Enable3Error.retryable}). */
  retryable?: boolean | undefined;
  /** Overrides the class's code (an abort before sending is `"not_sent"`). */
  code?: Enable3ErrorCode | undefined;
  /** What went wrong underneath (key redacted). */
  cause?: unknown;
}

/**
 * Base class of every error thrown by enable3-client. Thrown as itself only when a call fails in a way
 * no subclass names (a bulk source that throws, a bug): read `message` and report it.
 *
 * @example
 * try { await enable3.getUserBalance("u1"); }
 * catch (e) { if (e instanceof Enable3Error && e.retryable) scheduleRetry(); }
 */
export class Enable3Error extends Error {
  /** The class's name, e.g. `"Enable3TimeoutError"`: it survives serialisation where `instanceof` does not. */
  override name = "Enable3Error";
  /** What went wrong, as a stable machine-readable name. */
  readonly code: Enable3ErrorCode;
  /** The operationId of the call, e.g. `"sendEvent"`. */
  readonly operation?: string | undefined;
  /** The HTTP method of the call. */
  readonly method?: string | undefined;
  /** The path requested (no host, no query). */
  readonly path?: string | undefined;
  /** Attempts made, retries included; 0 when nothing was sent. */
  readonly attempts?: number | undefined;
  /** The server's own request id (`x-request-id` or similar), key redacted: quote it to Enable3 support. */
  readonly serverRequestId?: string | undefined;
  /**
   * On a `sendEvent` failure: the event's `id`, as sent (or as it would have been sent, when the id is
   * known). Resend with the same id; see the README's idempotency note.
   */
  readonly id?: string | undefined;
  /**
   * On a `sendRevenue` failure: the report's `requestId`, its idempotency key, as sent (or as it would
   * have been sent). Resend with the same one. Not the server's request id: that is `serverRequestId`.
   */
  readonly requestId?: string | undefined;
  /** Whether the retry policy retried this outcome: trying the same call again later may succeed. */
  readonly retryable: boolean;

  constructor(message: string, context: ErrorContext = {}, code: Enable3ErrorCode = "unexpected") {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.code = context.code ?? code;
    this.operation = context.operation;
    this.method = context.method;
    this.path = context.path;
    this.attempts = context.attempts;
    this.serverRequestId = context.serverRequestId;
    this.id = context.id;
    this.requestId = context.requestId;
    this.retryable = context.retryable ?? false;
  }

  /** Plain data for logs: the fields listed in JSON_FIELDS that this error has; no stack, no cause, no key. */
  toJSON(): Record<string, unknown> {
    const fields: Record<string, unknown> = {};
    for (const key of JSON_FIELDS)
      if ((this as Record<string, unknown>)[key] !== undefined) fields[key] = (this as Record<string, unknown>)[key];
    return fields;
  }
}

/** Every field an error of this SDK may carry, in the order toJSON() writes them. */
const JSON_FIELDS = [
  "name",
  "code",
  "message",
  "operation",
  "id",
  "requestId",
  "method",
  "path",
  "attempts",
  "serverRequestId",
  "retryable",
  "status",
  "body",
  "field",
  "fieldPath",
  "limit",
  "host",
  "proxy",
  "reason",
] as const;

/** One step of a field path: a property name, or an index into an array. */
export type FieldPathStep = string | number;

/**
 * Bad input, caught before any request is sent: a missing or blank field, a number out of range, an
 * unsafe base URL, a bad header. Fix the input named by `field`; retrying the same input fails the same way.
 */
export class Enable3ValidationError extends Enable3Error {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3ValidationError";
  /** The offending field as text, e.g. `"events[3].value"`. */
  readonly field: string;
  /** The same field as steps, e.g. `["events", 3, "value"]`: read it rather than parsing `field`. */
  readonly fieldPath: readonly FieldPathStep[];
  /** What is wrong with the field, e.g. `"must be a finite number, got string"`: the message after the field. */
  readonly problem: string;
  constructor(field: string | readonly FieldPathStep[], problem: string, context: ErrorContext = {}) {
    const steps = typeof field === "string" ? parseFieldPath(field) : field;
    const text = typeof field === "string" ? field : formatFieldPath(field);
    super(`${text} ${problem}`, context, "validation_failed");
    this.field = text;
    this.fieldPath = steps;
    this.problem = problem;
  }
}

/**
 * A field path as text, as the SDK writes `field`.
 * @example formatFieldPath(["events", 3, "value"]); // "events[3].value"
 */
export function formatFieldPath(steps: readonly FieldPathStep[]): string {
  return steps.map((step, i) => (typeof step === "number" ? `[${step}]` : i === 0 ? step : `.${step}`)).join("");
}

/** `events[3].value` as `["events", 3, "value"]` (the inverse of formatFieldPath for the SDK's own fields). */
export function parseFieldPath(field: string): FieldPathStep[] {
  const steps: FieldPathStep[] = [];
  for (const m of field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) steps.push(m[2] === undefined ? m[1]! : Number(m[2]));
  return steps;
}

/**
 * The request never got an HTTP response: the connection was refused or reset (even mid-body), or DNS
 * failed. Retried by default; when it persists, check the network path to the API (and the base URL).
 * The base class of the TLS, protocol and proxy failures below, which are not retried.
 */
export class Enable3ConnectionError extends Enable3Error {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3ConnectionError";
  constructor(message: string, context: ErrorContext = {}, code: Enable3ErrorCode = "connection_failed") {
    super(message, context, code);
  }
}

/** What was wrong with a TLS connection (see {@link Enable3TlsError.reason}). */
export type TlsFailureReason =
  | "untrusted-certificate"
  | "wrong-host"
  | "expired-certificate"
  | "certificate-not-yet-valid"
  | "not-tls"
  | "handshake-failed";

/**
 * The TLS connection to `host` failed: a certificate this machine does not trust (a proxy or firewall
 * that re-signs TLS: add its CA with `NODE_EXTRA_CA_CERTS`), one for another host (check `baseUrl`),
 * an expired one, or a port that does not speak TLS. Not retried: the next attempt meets the same
 * certificate. The message names the problem and what to do.
 */
export class Enable3TlsError extends Enable3ConnectionError {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3TlsError";
  /** The host whose certificate or handshake failed. */
  readonly host: string;
  /** What was wrong, as a stable name. */
  readonly reason: TlsFailureReason;
  constructor(message: string, host: string, reason: TlsFailureReason, context: ErrorContext = {}) {
    super(message, context, "tls_failed");
    this.host = host;
    this.reason = reason;
  }
}

/**
 * The server (or something between: a proxy, a load balancer) answered with bytes that are not valid
 * HTTP (a duplicate Content-Length, a bad chunk, a NUL in a header, headers over Node's limit, a switch
 * of protocol), or a body that does not decode. Not retried: find what rewrites the responses.
 */
export class Enable3ProtocolError extends Enable3ConnectionError {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3ProtocolError";
  constructor(message: string, context: ErrorContext = {}) {
    super(message, context, "protocol_error");
  }
}

/**
 * The proxy (the `proxy` option, or HTTPS_PROXY/HTTP_PROXY) could not be reached, or refused the tunnel
 * to the API (`status`, its answer to CONNECT: 407 wants credentials in the proxy URL, 403 an allow-list
 * entry for the API's host). Retried when the proxy was unreachable or answered a status in `retryOnStatus`.
 */
export class Enable3ProxyError extends Enable3ConnectionError {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3ProxyError";
  /** The proxy's URL, credentials redacted. */
  readonly proxy: string;
  /** The proxy's answer to CONNECT; undefined when it could not be reached. */
  readonly status: number | undefined;
  constructor(message: string, proxy: string, status: number | undefined, context: ErrorContext = {}) {
    super(message, context, "proxy_failed");
    this.proxy = proxy;
    this.status = status;
  }
}

/**
 * An attempt exceeded `timeoutMs`, or the whole call its `deadlineMs`. Retried by default. The server
 * may still have processed it: resend with the same id (the error's `id` or `requestId`); whether
 * Enable3 drops the repeat is Enable3's to guarantee (it documents no de-duplication by id).
 */
export class Enable3TimeoutError extends Enable3Error {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3TimeoutError";
  constructor(message: string, context: ErrorContext = {}) {
    super(message, context, "timeout");
  }
}

/**
 * The caller's AbortSignal fired. Never retried. `code` is `"not_sent"` (and `attempts` 0) for bulk
 * items that were read but never sent because their run was aborted first.
 */
export class Enable3AbortError extends Enable3Error {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3AbortError";
  constructor(message: string, context: ErrorContext = {}) {
    super(message, context, "aborted");
  }
}

/**
 * A 2xx whose body does not match the spec (malformed JSON, a missing field, a balance that is not a
 * decimal). Not retried; report it to Enable3 with `serverRequestId`.
 */
export class Enable3InvalidResponseError extends Enable3Error {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3InvalidResponseError";
  /** The HTTP status (a 2xx). */
  readonly status: number;
  /** The body as received (parsed JSON, or text), key redacted. */
  readonly body: unknown;
  constructor(message: string, status: number, body: unknown, context: ErrorContext = {}) {
    super(message, context, "invalid_response");
    this.status = status;
    this.body = body;
  }
}

/**
 * The server answered with a redirect, which the SDK never follows (the API key would go along). Not
 * retried: check `baseUrl`, which probably points at the wrong host or lacks https.
 */
export class Enable3RedirectError extends Enable3Error {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3RedirectError";
  /** The 3xx status; 0 where the runtime hides it (a browser's opaque redirect). */
  readonly status: number;
  constructor(message: string, status: number, context: ErrorContext = {}) {
    super(message, context, "redirect_refused");
    this.status = status;
  }
}

/**
 * A response body longer than `maxResponseBytes`: reading stopped there. Not retried; raise the limit
 * only if the API is expected to answer that much.
 */
export class Enable3ResponseTooLargeError extends Enable3Error {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3ResponseTooLargeError";
  /** The HTTP status of the response. */
  readonly status: number;
  /** The limit that was passed, in bytes. */
  readonly limit: number;
  constructor(message: string, status: number, limit: number, context: ErrorContext = {}) {
    super(message, context, "response_too_large");
    this.status = status;
    this.limit = limit;
  }
}

/**
 * The server answered with a non-2xx status no subclass below covers (and the base class of those that
 * do). `retryable` follows `retryOnStatus`; the message ends with the API's own reason.
 */
export class Enable3ApiError extends Enable3Error {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3ApiError";
  /** The HTTP status. */
  readonly status: number;
  /** Parsed JSON when the body was JSON, else its text; `undefined` when empty. Key redacted. */
  readonly body: unknown;
  constructor(message: string, status: number, body: unknown, context: ErrorContext = {}) {
    super(message, context, "http_error");
    this.status = status;
    this.body = body;
  }
}

/** HTTP 400: the API refused the request's content. Fix the input the API's reason names; not retried by default. */
export class Enable3BadRequestError extends Enable3ApiError {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3BadRequestError";
}
/** HTTP 401: a wrong API key, or this server's IP is not allow-listed in the Enable3 admin panel. */
export class Enable3AuthenticationError extends Enable3ApiError {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3AuthenticationError";
}
/** HTTP 403: usually this server's IP is not on the allow-list in the Enable3 admin panel. */
export class Enable3PermissionError extends Enable3ApiError {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3PermissionError";
}
/** HTTP 404: a path the API does not have; check that `baseUrl` is the API's root (no `/api/v1`). */
export class Enable3NotFoundError extends Enable3ApiError {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3NotFoundError";
}
/** HTTP 409: a duplicate (a website already registered). `addWebsites` resolves one that answers a retry. */
export class Enable3ConflictError extends Enable3ApiError {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3ConflictError";
}
/** HTTP 422: the request was well-formed but the API would not process it; read its reason. */
export class Enable3UnprocessableEntityError extends Enable3ApiError {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3UnprocessableEntityError";
}
/** HTTP 429: too many requests. Retried by default, after the server's `Retry-After`; lower the concurrency if it persists. */
export class Enable3RateLimitError extends Enable3ApiError {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3RateLimitError";
}
/** HTTP 5xx: the API failed. 500, 502, 503 and 504 are retried by default; resend with the same id (the error's `id` or `requestId`). */
export class Enable3ServerError extends Enable3ApiError {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3ServerError";
}

/** Why an outbox operation failed. */
export type OutboxErrorReason =
  /** Another process holds the fileStore directory. */
  | "locked"
  /** The fileStore's lock was deleted or replaced while this process held it: it stores nothing more (restart it once the other writer is stopped). */
  | "lock_lost"
  /** The store could not be opened (a missing directory, no permission, an unreadable file). */
  | "open_failed"
  /** A write failed (a full disk, an I/O error): the records of that call were not stored. */
  | "write_failed"
  /** The outbox holds `maxPending` records already: nothing was stored. */
  | "full"
  /** The outbox was closed. */
  | "closed"
  /** The store could not read a record (a damaged file): it was skipped. */
  | "corrupt"
  /** The API refuses this server (401, 403, a proxy's 407): delivery is paused, records stay queued. */
  | "paused"
  /** The store could not hand out records for delivery (the database unreachable): delivery asks again. */
  | "read_failed"
  /** A postgresStore worker cannot LISTEN (no connection to be had, PgBouncer in transaction mode, the connection dropped): it polls, and listens again once it can. */
  | "listen_unavailable"
  /** So many records wait behind earlier records of their ordering key that a fileStore stops reading ahead until those move on. */
  | "held_back";

/**
 * The outbox could not do what was asked; `reason` says why. Rejected from the outbox's methods
 * (`enqueue`: `full`, `closed`, `write_failed`; any of them when the store could not be opened:
 * `open_failed`, `locked`) and told to `onError` for the trouble delivery works around (`read_failed`,
 * `corrupt`, `paused`, `lock_lost`). A rejected `enqueue` stored nothing: the event is still the caller's to keep or retry.
 * @example
 * try { await outbox.enqueue(event); }
 * catch (e) { if (e instanceof Enable3OutboxError && e.reason === "full") shedLoad(); }
 */
export class Enable3OutboxError extends Enable3Error {
  /** The class's name: it survives serialisation where `instanceof` does not. */
  override name = "Enable3OutboxError";
  /** Why it failed, as a stable name. */
  readonly reason: OutboxErrorReason;
  constructor(reason: OutboxErrorReason, message: string, cause?: unknown) {
    super(message, cause === undefined ? {} : { cause }, "outbox_failed");
    this.reason = reason;
  }
}

/**
 * Why a callback was refused: answer 401 for the signature reasons, 400 for the others. The receiver
 * adds three of its own: `body-consumed` (a framework read the body first: the message names the setting
 * to change), `lease-lost` (another delivery took the transaction over) and `handler-timeout`
 * (onWithdrawal ran past handlerTimeoutMs).
 */
export type CallbackErrorReason =
  | "invalid-body"
  | "invalid-secret"
  | CallbackCheckReason
  | "body-consumed"
  | "lease-lost"
  | "handler-timeout";

/**
 * The reasons a callback's check gives (the signature's, answered 401; the payload's, 400): each is both
 * an Enable3CallbackError's `reason` and, in the withdrawal receiver, a refusal's (`RefusalReason`).
 */
export type CallbackCheckReason = (typeof CALLBACK_CHECK_REASONS)[number];

/** Every {@link CallbackCheckReason}, for telling one apart at run time. */
export const CALLBACK_CHECK_REASONS = [
  "missing-signature",
  "malformed-signature",
  "signature-mismatch",
  "invalid-json",
  "invalid-payload",
] as const;

/**
 * A callback that must not be trusted, or that the receiver could not take. `reason` says why; answer
 * 401 for signature reasons, 400 for the payload ones. Thrown by `verifyCallbackSignature` and
 * `parseWithdrawalCallback` (from `enable3-client/callback`) for a missing signature or an unusable body,
 * secret or payload; the withdrawal receiver answers them itself and hands `body-consumed`, `lease-lost`
 * and `handler-timeout` to `onFailed` and its logger.
 */
export class Enable3CallbackError extends Enable3Error {
  /** The class's name, `"Enable3CallbackError"`. */
  override name = "Enable3CallbackError";
  /** Why the callback was refused. */
  readonly reason: CallbackErrorReason;
  constructor(reason: CallbackErrorReason, message: string) {
    super(message, {}, "callback_refused");
    this.reason = reason;
  }
}

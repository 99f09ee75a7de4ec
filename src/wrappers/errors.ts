// The error hierarchy. Every error the SDK throws is an Enable3Error; HTTP failures get one class per
// status family so callers can `instanceof` instead of comparing numbers.

/** Where an error happened: the operation and the request it was making. */
export interface ErrorContext {
  /** operationId from the spec, e.g. `"sendEvent"`. */
  operation?: string;
  /** The HTTP method. */
  method?: string;
  /** Path actually requested (no query string, no host). */
  path?: string;
  /** Attempts made, retries included. */
  attempts?: number;
  /** The `x-request-id` (or similar) response header, when the server sent one. */
  requestId?: string;
  /** For API errors: whether the transport's retry policy (`retryOnStatus`) retries this status. */
  retryable?: boolean;
  /** What went wrong underneath (key redacted). */
  cause?: unknown;
}

/**
 * Base class of every error thrown by enable3-client.
 *
 * @example
 * try { await enable3.getUserBalance("u1"); }
 * catch (e) { if (e instanceof Enable3Error && e.retryable) scheduleRetry(); }
 */
export class Enable3Error extends Error {
  /** The class's name, e.g. `"Enable3TimeoutError"`: it survives serialisation where `instanceof` does not. */
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3Error";
  /** The operationId of the call, e.g. `"sendEvent"`. */
  readonly operation?: string;
  /** The HTTP method of the call. */
  readonly method?: string;
  /** The path requested (no host, no query). */
  readonly path?: string;
  /** Attempts made, retries included. */
  readonly attempts?: number;
  /** The server's request id (`x-request-id` or similar), key redacted. */
  readonly requestId?: string;
  /** Whether trying the same call again later may succeed. */
  readonly retryable: boolean = false;

  constructor(message: string, context: ErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.operation = context.operation;
    this.method = context.method;
    this.path = context.path;
    this.attempts = context.attempts;
    this.requestId = context.requestId;
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
  "message",
  "operation",
  "method",
  "path",
  "attempts",
  "requestId",
  "retryable",
  "status",
  "body",
  "field",
  "limit",
  "reason",
] as const;

/** Bad input, caught before any request is sent. */
export class Enable3ValidationError extends Enable3Error {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3ValidationError";
  /** The offending field, e.g. `"events[3].value"`. */
  readonly field: string;
  constructor(field: string, problem: string, context: ErrorContext = {}) {
    super(`${field} ${problem}`, context);
    this.field = field;
  }
}

/** The request never got an HTTP response: DNS, refused or reset connection, TLS… */
export class Enable3ConnectionError extends Enable3Error {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3ConnectionError";
  override readonly retryable = true;
}

/** An attempt, or the whole call, took longer than its configured timeout. */
export class Enable3TimeoutError extends Enable3Error {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3TimeoutError";
  override readonly retryable = true;
}

/** The caller's AbortSignal fired. */
export class Enable3AbortError extends Enable3Error {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3AbortError";
}

/** A 2xx whose body does not match the spec (malformed JSON, a missing field). */
export class Enable3InvalidResponseError extends Enable3Error {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3InvalidResponseError";
  /** The HTTP status (a 2xx). */
  readonly status: number;
  /** The body as received (parsed JSON, or text), key redacted. */
  readonly body: unknown;
  constructor(message: string, status: number, body: unknown, context: ErrorContext = {}) {
    super(message, context);
    this.status = status;
    this.body = body;
  }
}

/** The server answered with a redirect, which the SDK never follows: it would carry the API key along. */
export class Enable3RedirectError extends Enable3Error {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3RedirectError";
  /** The 3xx status; 0 where the runtime hides it (a browser's opaque redirect). */
  readonly status: number;
  constructor(message: string, status: number, context: ErrorContext = {}) {
    super(message, context);
    this.status = status;
  }
}

/** A response body longer than `maxResponseBytes`: reading stopped there, and it is not retried. */
export class Enable3ResponseTooLargeError extends Enable3Error {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3ResponseTooLargeError";
  /** The HTTP status of the response. */
  readonly status: number;
  /** The limit that was passed, in bytes. */
  readonly limit: number;
  constructor(message: string, status: number, limit: number, context: ErrorContext = {}) {
    super(message, context);
    this.status = status;
    this.limit = limit;
  }
}

/** The server answered with a non-2xx status. Subclasses narrow it by status family. */
export class Enable3ApiError extends Enable3Error {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3ApiError";
  /** The HTTP status. */
  readonly status: number;
  /** Parsed JSON when the body was JSON, else its text; `undefined` when empty. */
  readonly body: unknown;
  override readonly retryable: boolean;
  constructor(message: string, status: number, body: unknown, context: ErrorContext = {}) {
    super(message, context);
    this.status = status;
    this.body = body;
    this.retryable = context.retryable ?? false;
  }
}

export class Enable3BadRequestError extends Enable3ApiError {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3BadRequestError";
}
export class Enable3AuthenticationError extends Enable3ApiError {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3AuthenticationError";
}
export class Enable3PermissionError extends Enable3ApiError {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3PermissionError";
}
export class Enable3NotFoundError extends Enable3ApiError {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3NotFoundError";
}
export class Enable3ConflictError extends Enable3ApiError {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3ConflictError";
}
export class Enable3UnprocessableEntityError extends Enable3ApiError {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3UnprocessableEntityError";
}
export class Enable3RateLimitError extends Enable3ApiError {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3RateLimitError";
}
export class Enable3ServerError extends Enable3ApiError {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3ServerError";
}

const HINTS: Record<number, string> = {
  401: "check the API key, and that this server's IP is allow-listed in the Enable3 admin panel",
  403: "this server's IP is probably not allow-listed in the Enable3 admin panel",
  409: "duplicate entry",
};

/** How much of the API's own reason goes into a message: enough to read, never a whole page. */
const REASON_MAX = 200;

/** Builds the error for a non-2xx response. `body` must already be redacted. */
export function apiErrorFor(status: number, body: unknown, context: ErrorContext): Enable3ApiError {
  const hint = HINTS[status] ? ` (${HINTS[status]})` : "";
  const where = context.method && context.path ? ` ${context.method} ${context.path}` : "";
  const reason = reasonOf(body);
  const message = `${context.operation ?? "request"}${where} failed with HTTP ${status}${hint}${reason ? `: ${reason}` : ""}`;
  const ErrorClass =
    status === 400
      ? Enable3BadRequestError
      : status === 401
        ? Enable3AuthenticationError
        : status === 403
          ? Enable3PermissionError
          : status === 404
            ? Enable3NotFoundError
            : status === 409
              ? Enable3ConflictError
              : status === 422
                ? Enable3UnprocessableEntityError
                : status === 429
                  ? Enable3RateLimitError
                  : status >= 500
                    ? Enable3ServerError
                    : Enable3ApiError;
  return new ErrorClass(message, status, body, context);
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

// What the API answered and the SDK will not take as data: an HTTP error, one class per status family so
// callers can `instanceof` instead of comparing numbers, and a response that is invalid, a redirect or too large.
import { Enable3Error, type ErrorContext } from "./base.js";

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

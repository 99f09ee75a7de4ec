// Enable3Error, the base of every error the SDK throws: its stable codes, the context it carries about
// the call, and its plain-data form for logs. Each family of errors has a file of its own beside this one;
// messages are written in messages.ts (or by the wing that throws), never here: a class says what happened.

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

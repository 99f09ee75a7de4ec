// What one SDK call carries through its attempts, and how a failed attempt becomes a typed error that
// says where it happened and after how many attempts.
import {
  Enable3AbortError,
  Enable3ConnectionError,
  Enable3Error,
  Enable3RedirectError,
  Enable3ResponseTooLargeError,
  Enable3TimeoutError,
} from "../errors.js";
import type { CallSettings } from "./options.js";
import type { Redactor } from "./redact.js";

/** One SDK call: its settings, and what the transport learns while making it. */
export interface CallContext {
  operation: string;
  settings: CallSettings;
  attempts: number;
  method?: string;
  path?: string;
}

/** Why an attempt ended without a usable response. */
export type AttemptFailure =
  | { kind: "aborted" | "timeout" | "deadline" | "network" | "invalid-request"; cause: unknown }
  | { kind: "redirect"; status: number; location: string | null }
  | { kind: "too-large"; status: number };

/** "getUserBalance GET /api/…": how log lines and error messages name a call. */
export function labelOf(ctx: CallContext): string {
  return `${ctx.operation} ${ctx.method} ${ctx.path}`;
}

/** What an error carries about the call that failed. */
export function contextOf(ctx: CallContext) {
  return { operation: ctx.operation, method: ctx.method, path: ctx.path, attempts: ctx.attempts };
}

/** The typed error for a failed attempt. Its cause is rebuilt with the key redacted (see safeCause). */
export function attemptError(failure: AttemptFailure, ctx: CallContext, redact: Redactor): Enable3Error {
  const label = labelOf(ctx);
  if (failure.kind === "redirect") {
    const to = failure.location ? ` to ${redact(failure.location)}` : "";
    return new Enable3RedirectError(
      `${label} was answered with a redirect${failure.status ? ` (HTTP ${failure.status}${to})` : ""}, which the SDK never follows (the API key would go along); check baseUrl`,
      failure.status,
      contextOf(ctx),
    );
  }
  if (failure.kind === "too-large") {
    const limit = ctx.settings.maxResponseBytes;
    return new Enable3ResponseTooLargeError(
      `${label} answered HTTP ${failure.status} with a body over maxResponseBytes (${limit} bytes)`,
      failure.status,
      limit,
      contextOf(ctx),
    );
  }
  const context = { ...contextOf(ctx), cause: safeCause(failure.cause, redact) };
  if (failure.kind === "aborted") return new Enable3AbortError(`${label} was aborted by the caller`, context);
  if (failure.kind === "deadline")
    return new Enable3TimeoutError(`${label} exceeded its deadline of ${ctx.settings.deadlineMs} ms`, context);
  if (failure.kind === "invalid-request")
    return new Enable3Error(`${label} could not be sent: ${redact(describeCause(failure.cause))}`, context);
  if (failure.kind === "timeout") return new Enable3TimeoutError(`${label} timed out after ${ctx.settings.timeoutMs} ms`, context);
  return new Enable3ConnectionError(`${label} could not complete: ${redact(describeCause(failure.cause))}`, context);
}

/**
 * A copy of an error chain with only name, message and code, the key redacted: runtime errors can
 * hold raw response bytes (undici's HTTPParserError.data) that would print the key with the error.
 */
export function safeCause(cause: unknown, redact: Redactor, depth = 0): unknown {
  if (!(cause instanceof Error))
    return typeof cause === "string" ? redact(cause) : cause === undefined || cause === null ? cause : redact(String(cause));
  const copy = new Error(
    redact(cause.message),
    depth < 3 && cause.cause !== undefined ? { cause: safeCause(cause.cause, redact, depth + 1) } : undefined,
  );
  copy.name = cause.name;
  const code = (cause as { code?: unknown }).code;
  if (typeof code === "string" || typeof code === "number") Object.assign(copy, { code });
  copy.stack = `${copy.name}: ${copy.message}`; // the SDK's frames say nothing the message does not
  return copy;
}

/** The path without parsing a whole URL: the request URL is always absolute here. */
export function urlPath(url: string): string {
  const afterHost = url.indexOf("/", url.indexOf("//") + 2);
  if (afterHost === -1) return "/";
  const end = url.search(/[?#]/);
  return url.slice(afterHost, end === -1 ? undefined : end);
}

/** "fetch failed" says little; its cause names the system error (ECONNRESET, ECONNREFUSED…). */
function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = cause.cause as { code?: string; message?: string } | undefined;
  return inner?.code ? `${cause.message} (${inner.code})` : inner?.message ? `${cause.message} (${inner.message})` : cause.message;
}

// The one place a call's telemetry is made: the log lines, the hooks and OpenTelemetry, each a
// CallScope, joined here into the scope the retry loop talks to. A new signal is one more scope file
// and one line below. With none of them on, every call gets SILENT_SCOPE and costs nothing more.
import type { Log } from "../transport/log.js";
import { type ClientHooks, guardHooks } from "./hooks.js";
import { openTelemetryScopes, type TelemetryOptions } from "./opentelemetry.js";
import type { OpenTelemetryApi } from "./otel-api.js";
import { type CallObserver, type CallScope, type CallStart, SILENT_SCOPE } from "./scope.js";

export interface ObserveOptions {
  log: Log;
  hooks: ClientHooks | undefined;
  /** The API module found or given, and the client's telemetry options; undefined when off. */
  telemetry: { api: OpenTelemetryApi; options: TelemetryOptions } | undefined;
  /** The package's version, for the instrumentation scope. */
  version: string;
  /** Where a throwing hook is reported, once per hook. */
  reportHookError: (hook: string, error: unknown) => void;
}

export function createObserver(options: ObserveOptions): CallObserver {
  const makers: ((start: CallStart) => CallScope)[] = [];
  if (options.log.debug || options.log.warn) makers.push((start) => logScope(start, options.log));
  if (options.hooks && Object.values(options.hooks).some((hook) => typeof hook === "function")) {
    const hooks = guardHooks(options.hooks, options.reportHookError);
    makers.push((start) => hookScope(start, hooks));
  }
  if (options.telemetry) makers.push(openTelemetryScopes(options.telemetry.api, options.telemetry.options, options.version));
  if (makers.length === 0) return () => SILENT_SCOPE;
  if (makers.length === 1) return makers[0]!;
  return (start) => joined(makers.map((make) => make(start)));
}

function joined(scopes: CallScope[]): CallScope {
  return {
    attemptStarted(attempt) {
      let headers: Record<string, string> | undefined;
      for (const scope of scopes) {
        const more = scope.attemptStarted(attempt);
        if (more) headers = { ...headers, ...more };
      }
      return headers;
    },
    attemptEnded: (attempt, outcome) => {
      for (const scope of scopes) scope.attemptEnded(attempt, outcome);
    },
    retryScheduled: (attempt, waitMs, outcome) => {
      for (const scope of scopes) scope.retryScheduled(attempt, waitMs, outcome);
    },
    retryRefused: (reason, detail) => {
      for (const scope of scopes) scope.retryRefused(reason, detail);
    },
    ended: (result, attempts) => {
      for (const scope of scopes) scope.ended(result, attempts);
    },
  };
}

/** The logger's lines: one per attempt at debug, and why a retry was not made at warn. */
function logScope(start: CallStart, log: Log): CallScope {
  return {
    attemptStarted: () => undefined,
    attemptEnded(attempt, outcome) {
      log.debug?.(`${start.label} -> ${outcome.response?.status ?? outcome.failure?.kind} (attempt ${attempt} of ${start.maxAttempts})`);
    },
    retryScheduled(_attempt, waitMs) {
      log.debug?.(`${start.label}: retrying in ${waitMs} ms`);
    },
    retryRefused(reason, detail) {
      if (reason === "budget") log.warn?.(`${start.label}: retry budget exhausted; failing fast`);
      else log.warn?.(`${start.label}: server asked to wait ${detail} ms, more than maxRetryAfterMs; not retrying`);
    },
    ended() {},
  };
}

/** The caller's hooks, told the operation, attempt, status and elapsed time. */
function hookScope(start: CallStart, hooks: ClientHooks): CallScope {
  const callStarted = performance.now();
  let attemptStarted = callStarted;
  let last: { attempt: number; status: number | undefined } = { attempt: 0, status: undefined };
  const event = (attempt: number) => ({ operation: start.operation, method: start.method, urlTemplate: start.urlTemplate, attempt });
  return {
    attemptStarted(attempt) {
      attemptStarted = performance.now();
      hooks.onRequest?.(event(attempt));
      return undefined;
    },
    attemptEnded(attempt, outcome) {
      last = { attempt, status: outcome.response?.status };
      if (outcome.response)
        hooks.onResponse?.({ ...event(attempt), status: outcome.response.status, elapsedMs: performance.now() - attemptStarted });
    },
    retryScheduled(attempt, waitMs, outcome) {
      hooks.onRetry?.({ ...event(attempt), status: outcome.response?.status, errorCode: outcome.failure?.kind, delayMs: waitMs });
    },
    retryRefused() {},
    ended(result) {
      if (result.error)
        hooks.onError?.({ ...event(last.attempt), status: last.status, error: result.error, elapsedMs: performance.now() - callStarted });
    },
  };
}

// The one place a client's telemetry is made: the log lines, the hooks and OpenTelemetry, each a
// CallScope per call, joined here into the one scope the retry loop and the client talk to. A new
// source is one more scope file and one line below. With none of them on, every call gets SILENT_SCOPE.
import { labelOf } from "../errors/messages.js";
import { guardHooks } from "../internal/hook-guard.js";
import type { CallContext, CallScope, Observer, OutgoingRequest } from "../transport/contract.js";
import { SILENT_OBSERVER } from "../transport/contract.js";
import type { Log } from "../transport/log.js";
import { urlPath } from "../transport/retry-loop.js";
import type { ClientHooks } from "./hooks.js";
import { templateOf } from "./operation-templates.js";

export interface ObserveOptions {
  log: Log;
  hooks: ClientHooks | undefined;
  /** The OpenTelemetry scope source given or found; undefined when off. */
  telemetry: ScopeSource | undefined;
  /** Where a throwing hook is reported, once per hook. */
  reportHookError: (hook: string, error: unknown) => void;
}

/**
 * A source of call scopes (the log lines, the hooks, OpenTelemetry): a scope per call, and what it does
 * with a bulk item. Named apart from an AbortSignal, which it has nothing to do with.
 */
export interface ScopeSource {
  call(ctx: CallContext, request: OutgoingRequest): CallScope;
  bulkItemSettled?(operation: string, outcome: "delivered" | "failed" | "not_sent"): void;
}

export function createObserver(options: ObserveOptions): Observer {
  const sources: ScopeSource[] = [];
  if (options.log.debug || options.log.warn) sources.push(logScopes(options.log));
  if (options.hooks && Object.values(options.hooks).some((hook) => typeof hook === "function")) {
    sources.push(hookScopes(guardHooks(options.hooks, options.reportHookError)));
  }
  if (options.telemetry) sources.push(options.telemetry);
  if (sources.length === 0) return SILENT_OBSERVER;
  const settled = sources.filter((source) => source.bulkItemSettled);
  const bulkItemSettled = (operation: string, outcome: "delivered" | "failed" | "not_sent") => {
    for (const source of settled) source.bulkItemSettled!(operation, outcome);
  };
  if (sources.length === 1) return { call: (ctx, request) => sources[0]!.call(ctx, request), bulkItemSettled };
  return { call: (ctx, request) => joined(sources.map((source) => source.call(ctx, request))), bulkItemSettled };
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
    retryRefused: (reason, waitMs) => {
      for (const scope of scopes) scope.retryRefused(reason, waitMs);
    },
    ended: (result) => {
      for (const scope of scopes) scope.ended(result);
    },
  };
}

/** The logger's lines: one per attempt at debug, and why a retry was not made at warn. */
function logScopes(log: Log): ScopeSource {
  return {
    call(ctx, request) {
      const label = labelOf({ operation: ctx.operation, method: request.method, path: urlPath(request.url) });
      return {
        attemptStarted: () => undefined,
        attemptEnded(attempt, outcome) {
          const result = outcome.response?.status ?? outcome.failure?.kind;
          log.debug?.(`${label} -> ${result} (attempt ${attempt} of ${ctx.settings.maxRetries + 1})`);
        },
        retryScheduled(_attempt, waitMs) {
          log.debug?.(`${label}: retrying in ${waitMs} ms`);
        },
        retryRefused(reason, waitMs) {
          if (reason === "budget") log.warn?.(`${label}: retry budget exhausted; failing fast`);
          else log.warn?.(`${label}: server asked to wait ${waitMs} ms, more than maxRetryAfterMs; not retrying`);
        },
        ended() {},
      };
    },
  };
}

/** The caller's hooks, told the operation, attempt, status and elapsed time. */
function hookScopes(hooks: ClientHooks): ScopeSource {
  return {
    call(ctx, request) {
      const callStarted = performance.now();
      let attemptStarted = callStarted;
      const urlTemplate = templateOf(ctx.operation);
      const event = (attempt: number) => ({ operation: ctx.operation, method: request.method, urlTemplate, attempt });
      return {
        attemptStarted(attempt) {
          attemptStarted = performance.now();
          hooks.onRequest?.(event(attempt));
          return undefined;
        },
        attemptEnded(attempt, outcome) {
          if (!outcome.response) return;
          hooks.onResponse?.({ ...event(attempt), status: outcome.response.status, elapsedMs: performance.now() - attemptStarted });
        },
        retryScheduled(attempt, waitMs, outcome) {
          hooks.onRetry?.({ ...event(attempt), status: outcome.response?.status, failure: outcome.failure?.kind, delayMs: waitMs });
        },
        retryRefused() {},
        ended(result) {
          if (!result.error) return;
          hooks.onError?.({
            ...event(ctx.attempts),
            status: result.status,
            error: result.error,
            elapsedMs: performance.now() - callStarted,
          });
        },
      };
    },
  };
}

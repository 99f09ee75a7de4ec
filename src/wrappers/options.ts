// Client and per-call options: their types, defaults, and the checks that run before any request.
import { RetryBudget, type RetryBudgetOptions } from "./budget.js";
import { Enable3ValidationError } from "./errors.js";
import { LOG_LEVELS, type Logger, type LogLevel } from "./log.js";
import { DEFAULT_RETRY, type ResolvedRetryOptions, type RetryOptions } from "./retry.js";
import * as check from "./validate.js";

export const DEFAULT_BASE_URL = "https://integration.enable3.io";

/** Options of {@link createEnable3Client}. */
export interface ClientOptions extends RetryOptions {
  /** The operator's key, sent as `X-API-KEY`. Usually `process.env.ENABLE3_API_KEY`. */
  apiKey: string;
  /** Default `https://integration.enable3.io`. Plain http only for localhost. */
  baseUrl?: string;
  /** A fetch implementation; default the global one. */
  fetch?: typeof fetch;
  /** Per-attempt timeout in ms. Default 30000. */
  timeoutMs?: number;
  /** Overall deadline of one call, retries and waits included, in ms. Default 120000. */
  deadlineMs?: number;
  /** A token bucket shared by the client's retries; `false` turns it off. */
  retryBudget?: RetryBudgetOptions | false;
  /** Console-compatible logger; nothing is logged unless `logLevel` is set too. */
  logger?: Logger;
  /** Default `"off"`. */
  logLevel?: LogLevel;
  /** Headers added to every request. */
  headers?: Record<string, string>;
}

/** Options every method takes as its last argument. */
export interface RequestOptions {
  /** Cancels the call, retries and waits included. */
  signal?: AbortSignal;
  /** Extra headers for this call. */
  headers?: Record<string, string>;
  /** Overrides the client's `maxRetries` for this call. */
  maxRetries?: number;
  /** Overrides the client's per-attempt `timeoutMs` for this call. */
  timeoutMs?: number;
  /** Overrides the client's `deadlineMs` for this call. */
  deadlineMs?: number;
}

export interface ClientConfig {
  apiKey: string;
  baseUrl: string;
  fetch: typeof fetch;
  retry: ResolvedRetryOptions;
  timeoutMs: number;
  deadlineMs: number;
  budget: RetryBudget | undefined;
  logger: Logger | undefined;
  logLevel: LogLevel;
  headers: Record<string, string>;
}

export function resolveClientConfig(options: ClientOptions): ClientConfig {
  const o = check.plainObject(options, "options") as unknown as ClientOptions;
  const apiKey = apiKeyOf(o.apiKey);
  if (o.fetch !== undefined && typeof o.fetch !== "function") {
    throw new Enable3ValidationError("options.fetch", "must be a function");
  }
  const fetchImpl = o.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== "function") {
    throw new Enable3ValidationError("options.fetch", "is required: this runtime has no global fetch");
  }
  if (o.logLevel !== undefined && !LOG_LEVELS.includes(o.logLevel)) {
    throw new Enable3ValidationError("options.logLevel", `must be one of ${LOG_LEVELS.join(", ")}`);
  }
  const retryOnStatus = o.retryOnStatus ?? DEFAULT_RETRY.retryOnStatus;
  check.nonEmptyArray(retryOnStatus, "options.retryOnStatus").forEach((s, i) => httpStatus(s, `options.retryOnStatus[${i}]`));
  return {
    apiKey,
    baseUrl: check.baseUrl(o.baseUrl ?? DEFAULT_BASE_URL, "options.baseUrl"),
    fetch: fetchImpl,
    retry: {
      maxRetries: count(o.maxRetries ?? DEFAULT_RETRY.maxRetries, "options.maxRetries"),
      initialDelayMs: duration(o.initialDelayMs ?? DEFAULT_RETRY.initialDelayMs, "options.initialDelayMs", true),
      maxDelayMs: duration(o.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs, "options.maxDelayMs", true),
      maxRetryAfterMs: duration(o.maxRetryAfterMs ?? DEFAULT_RETRY.maxRetryAfterMs, "options.maxRetryAfterMs", true),
      retryOnStatus: [...retryOnStatus],
    },
    timeoutMs: duration(o.timeoutMs ?? 30_000, "options.timeoutMs"),
    deadlineMs: duration(o.deadlineMs ?? 120_000, "options.deadlineMs"),
    budget: o.retryBudget === false ? undefined : new RetryBudget(budgetOptions(o.retryBudget)),
    logger: o.logger,
    logLevel: o.logLevel ?? "off",
    headers: o.headers === undefined ? {} : check.stringRecord(o.headers, "options.headers"),
  };
}

/** Per-call settings: the client's, overridden by the call's options. */
export function resolveCallSettings(config: ClientConfig, options: RequestOptions | undefined) {
  const o = options === undefined ? {} : (check.plainObject(options, "requestOptions") as RequestOptions);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
    throw new Enable3ValidationError("requestOptions.signal", "must be an AbortSignal");
  }
  return {
    retry: o.maxRetries === undefined ? config.retry : { ...config.retry, maxRetries: count(o.maxRetries, "requestOptions.maxRetries") },
    timeoutMs: o.timeoutMs === undefined ? config.timeoutMs : duration(o.timeoutMs, "requestOptions.timeoutMs"),
    deadlineMs: o.deadlineMs === undefined ? config.deadlineMs : duration(o.deadlineMs, "requestOptions.deadlineMs"),
    signal: o.signal,
    headers: o.headers === undefined ? undefined : check.stringRecord(o.headers, "requestOptions.headers"),
  };
}

/** The key goes into a header: a value with control characters would make fetch throw an error quoting it. */
function apiKeyOf(value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new Enable3ValidationError("options.apiKey", "is required (set ENABLE3_API_KEY or pass apiKey)");
  }
  if (!/^[\x21-\x7e]+$/.test(value)) {
    throw new Enable3ValidationError("options.apiKey", "must be printable ASCII with no spaces (value not shown)");
  }
  return value;
}

function budgetOptions(value: RetryBudgetOptions | undefined): RetryBudgetOptions {
  if (value === undefined) return {};
  const o = check.plainObject(value, "options.retryBudget") as RetryBudgetOptions;
  for (const [key, v] of Object.entries(o)) if (v !== undefined) count(v, `options.retryBudget.${key}`);
  return o;
}

function count(value: unknown, field: string): number {
  if (!Number.isInteger(value) || (value as number) < 0) throw new Enable3ValidationError(field, "must be a whole number >= 0");
  return value as number;
}

function duration(value: unknown, field: string, zeroAllowed = false): number {
  const n = check.finiteNumber(value, field);
  if (n < 0 || (!zeroAllowed && n === 0)) throw new Enable3ValidationError(field, zeroAllowed ? "must be >= 0" : "must be > 0");
  return n;
}

function httpStatus(value: unknown, field: string): number {
  if (!Number.isInteger(value) || (value as number) < 100 || (value as number) > 599) {
    throw new Enable3ValidationError(field, "must be an HTTP status (100-599)");
  }
  return value as number;
}

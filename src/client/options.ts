// Client and per-call options (what a caller passes) and the settings resolved from them (what the
// client and each call run with): their types, defaults, and the checks that run before any request.

import { Enable3ValidationError } from "../errors/validation.js";
import { CLIENT_DEFAULTS } from "../internal/defaults.js";
import { optionKeys } from "../internal/option-keys.js";
import * as check from "../internal/validate.js";
import { MAX_TIMER_MS } from "../internal/validate.js";
import type { ClientHooks } from "../telemetry/hooks.js";
import type { Telemetry } from "../telemetry/opentelemetry.js";
import type { CallSettings } from "../transport/contract.js";
import { LOG_LEVELS, type Logger, type LogLevel } from "../transport/log.js";
import type { ProxyOption } from "../transport/proxy.js";
import { RetryBudget, type RetryBudgetOptions } from "../transport/retry-budget.js";
import type { RetryOptions } from "../transport/retry-policy.js";
import type { WidgetUrlOptions } from "./client-api.js";
import { environment, fromEnvironment, logLevelFromEnvironment } from "./environment.js";
import { defaultUserAgent } from "./user-agent.js";

/** Where the client sends requests unless `baseUrl` (or ENABLE3_BASE_URL) says otherwise. */
export const DEFAULT_BASE_URL = CLIENT_DEFAULTS.baseUrl;

/** Options of {@link createEnable3Client}. */
export interface ClientOptions extends RetryOptions {
  /** The operator's key, sent as `X-API-KEY`. @default the ENABLE3_API_KEY environment variable, where the runtime has one */
  apiKey?: string | undefined;
  /** The API's address; plain http only for localhost. @default ENABLE3_BASE_URL, else "https://integration.enable3.io" */
  baseUrl?: string | undefined;
  /**
   * A fetch implementation (tests, proxies, instrumentation); when given, every call goes through it.
   * @default on Node, the SDK's own node:http transport; elsewhere, globalThis.fetch
   */
  fetch?: typeof fetch | undefined;
  /** Per-attempt timeout in ms. @default 30000 */
  timeoutMs?: number | undefined;
  /** Overall deadline of one call, retries and waits included, in ms. @default 120000 */
  deadlineMs?: number | undefined;
  /** A token bucket shared by the client's retries; `false` turns it off. @default { capacity: 500, retryCost: 5, timeoutRetryCost: 10, successRefill: 1 } */
  retryBudget?: RetryBudgetOptions | false | undefined;
  /** Told each call's attempts, retries and failure as they happen (see {@link ClientHooks}); a hook that throws changes nothing. */
  hooks?: ClientHooks | undefined;
  /**
   * OpenTelemetry spans and metrics for every call, on the providers the app registered:
   * `openTelemetry()` from `enable3-client/opentelemetry`, or `false` for none.
   * @default on Node, `openTelemetry()` when `@opentelemetry/api` is installed; elsewhere none
   */
  telemetry?: Telemetry | false | undefined;
  /** Console-compatible logger; nothing is logged unless `logLevel` (or ENABLE3_LOG) is set too. @default the console when ENABLE3_LOG is set, else none */
  logger?: Logger | undefined;
  /** How much the logger hears. @default ENABLE3_LOG (off, error, warn, info or debug), else "off" */
  logLevel?: LogLevel | undefined;
  /** Headers added to every request. */
  headers?: Record<string, string> | undefined;
  /** Largest response body read, in bytes (after decoding gzip or br); a longer one fails with Enable3ResponseTooLargeError. @default 4194304 (4 MiB) */
  maxResponseBytes?: number | undefined;
  /**
   * An HTTP proxy for the Node transport (`http://user:password@proxy:3128`; https:// goes in a CONNECT
   * tunnel), or `false` for none whatever the environment says. Its credentials never appear in an
   * error or log line. Not for the fetch transport: a given `fetch` decides its own proxy.
   * @default on Node, HTTPS_PROXY / HTTP_PROXY and NO_PROXY when NODE_USE_ENV_PROXY=1 (Node's own convention); elsewhere none
   */
  proxy?: string | URL | false | undefined;
  /**
   * The User-Agent sent with every request, replacing the SDK's own (a `User-Agent` in `headers` is refused).
   * @default "enable3-client/<version> (<runtime> <version>; <platform>)"; none in a browser, which writes its own
   */
  userAgent?: string | undefined;
}

/** Options every method takes as its last argument. */
export interface RequestOptions {
  /** Cancels the call, retries and waits included. */
  signal?: AbortSignal | undefined;
  /** Extra headers for this call. */
  headers?: Record<string, string> | undefined;
  /** Overrides the client's `maxRetries` for this call. */
  maxRetries?: number | undefined;
  /** Overrides the client's per-attempt `timeoutMs` for this call. */
  timeoutMs?: number | undefined;
  /** Overrides the client's `deadlineMs` for this call. */
  deadlineMs?: number | undefined;
}

/** Every option of {@link ClientOptions}: anything else is refused (a compile error here when one is added to the type and not to the list). */
export const CLIENT_OPTION_KEYS = optionKeys<ClientOptions>()([
  "apiKey",
  "baseUrl",
  "fetch",
  "timeoutMs",
  "deadlineMs",
  "maxRetries",
  "initialDelayMs",
  "maxDelayMs",
  "maxRetryAfterMs",
  "retryOnStatus",
  "retryBudget",
  "hooks",
  "telemetry",
  "logger",
  "logLevel",
  "headers",
  "maxResponseBytes",
  "proxy",
  "userAgent",
]);

/** Every per-call option of {@link RequestOptions}. */
export const REQUEST_OPTION_KEYS = optionKeys<RequestOptions>()(["signal", "headers", "maxRetries", "timeoutMs", "deadlineMs"]);

/** getWidgetUrl's options: the per-call ones and its own. */
const WIDGET_URL_OPTION_KEYS = optionKeys<WidgetUrlOptions>()([...REQUEST_OPTION_KEYS, "referralCode", "params"]);

/** What a client runs with, resolved once from its options. */
export interface ClientSettings {
  apiKey: string;
  /** Normalised: origin and percent-encoded path, no trailing slash. */
  baseUrl: string;
  /** The caller's fetch, which wins over any transport; undefined for the runtime's default. */
  fetch: typeof fetch | undefined;
  /** Every call's settings unless it overrides them. */
  call: CallSettings;
  budget: RetryBudget | undefined;
  logger: Logger | undefined;
  logLevel: LogLevel;
  hooks: ClientHooks | undefined;
  telemetry: Telemetry | false | undefined;
  headers: Record<string, string>;
  /** Checked: a proxy URL, false, or undefined for the environment's. */
  proxy: ProxyOption;
  /** The User-Agent to send; undefined where the runtime writes its own (a browser). */
  userAgent: string | undefined;
}

type NumericOption = Exclude<keyof CallSettings, "retryOnStatus" | "signal" | "headers">;

/** Each numeric option's default and allowed range; counts must be whole numbers. */
const NUMBERS: Record<NumericOption, [fallback: number, min: number, max: number, whole?: true]> = {
  maxRetries: [CLIENT_DEFAULTS.maxRetries, 0, 100, true],
  initialDelayMs: [CLIENT_DEFAULTS.initialDelayMs, 0, MAX_TIMER_MS],
  maxDelayMs: [CLIENT_DEFAULTS.maxDelayMs, 0, MAX_TIMER_MS],
  maxRetryAfterMs: [CLIENT_DEFAULTS.maxRetryAfterMs, 0, MAX_TIMER_MS],
  timeoutMs: [CLIENT_DEFAULTS.timeoutMs, 1, MAX_TIMER_MS],
  deadlineMs: [CLIENT_DEFAULTS.deadlineMs, 1, MAX_TIMER_MS],
  maxResponseBytes: [CLIENT_DEFAULTS.maxResponseBytes, 1, Number.MAX_SAFE_INTEGER, true],
};

/** The numeric options a single call may override. */
const PER_CALL: readonly NumericOption[] = ["maxRetries", "timeoutMs", "deadlineMs"];

export function resolveClientSettings(options: ClientOptions): ClientSettings {
  const o = check.plainObject(options, "options") as unknown as ClientOptions;
  check.checkKnownKeys(o, CLIENT_OPTION_KEYS, "options");
  const apiKey = apiKeyOf(o.apiKey);
  if (o.fetch !== undefined && typeof o.fetch !== "function") throw new Enable3ValidationError("options.fetch", "must be a function");
  if (o.logLevel !== undefined && !LOG_LEVELS.includes(o.logLevel)) {
    throw new Enable3ValidationError("options.logLevel", `must be one of ${LOG_LEVELS.join(", ")}`);
  }
  const envLevel = o.logLevel === undefined ? logLevelFromEnvironment() : undefined;
  const retryOnStatus = check
    .nonEmptyArray(o.retryOnStatus ?? CLIENT_DEFAULTS.retryOnStatus, "options.retryOnStatus")
    .map((s, i) => check.numberIn(s, `options.retryOnStatus[${i}]`, 100, 599, true));
  const numbers = Object.fromEntries(
    Object.entries(NUMBERS).map(([key, [fallback]]) => [key, numeric(o, key as NumericOption, "options", fallback)]),
  );
  return {
    apiKey,
    baseUrl: check.baseUrl(o.baseUrl ?? fromEnvironment("ENABLE3_BASE_URL") ?? DEFAULT_BASE_URL, "options.baseUrl"),
    fetch: o.fetch,
    call: { ...(numbers as Record<NumericOption, number>), retryOnStatus },
    budget: o.retryBudget === false ? undefined : new RetryBudget(budgetOptions(o.retryBudget)),
    // ENABLE3_LOG without a logger writes to the console: debug logging needs no deploy
    logger: o.logger ?? (envLevel === undefined || envLevel === "off" ? undefined : globalThis.console),
    logLevel: o.logLevel ?? envLevel ?? CLIENT_DEFAULTS.logLevel,
    hooks: o.hooks === undefined ? undefined : hooksOf(o.hooks),
    telemetry: check.telemetryOption(o.telemetry, "options.telemetry"),
    headers: o.headers === undefined ? {} : headersOption(o.headers, "options.headers"),
    proxy: proxyOption(o.proxy),
    userAgent: o.userAgent === undefined ? defaultUserAgent() : check.headerValue(o.userAgent, "options.userAgent"),
  };
}

const HOOK_NAMES = ["onRequest", "onResponse", "onRetry", "onError"] as const;

function hooksOf(value: unknown): ClientHooks {
  const hooks = check.plainObject(value, "options.hooks");
  check.hookOptions(hooks, HOOK_NAMES, "options.hooks", true);
  return hooks as ClientHooks;
}

/** Per-call settings: the client's, overridden by the call's options (getWidgetUrl's own among them). */
export function resolveCallSettings(settings: ClientSettings, options: RequestOptions | undefined, operation?: string): CallSettings {
  if (options === undefined) return settings.call;
  const o = check.plainObject(options, "requestOptions") as RequestOptions;
  check.checkKnownKeys(o, operation === "getWidgetUrl" ? WIDGET_URL_OPTION_KEYS : REQUEST_OPTION_KEYS, "requestOptions");
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
    throw new Enable3ValidationError("requestOptions.signal", "must be an AbortSignal");
  }
  const callSettings = { ...settings.call, signal: o.signal };
  for (const key of PER_CALL) callSettings[key] = numeric(o, key, "requestOptions", settings.call[key]);
  if (o.headers !== undefined) callSettings.headers = headersOption(o.headers, "requestOptions.headers");
  return callSettings;
}

/**
 * Headers given as an option. The key is `apiKey` alone: an X-API-KEY here was ignored on the client
 * and replaced the key on a call, so a multi-tenant server could send one tenant's request under
 * another's key. Its value is never shown.
 */
function headersOption(value: unknown, field: string): Record<string, string> {
  const headers = check.headerRecord(value, field);
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (lower === "x-api-key") {
      throw new Enable3ValidationError(
        `${field}.${name}`,
        "cannot carry the key (value not shown): pass it as apiKey, and make one client per tenant (clients share their connection pools, so that is cheap)",
      );
    }
    if (lower === "user-agent")
      throw new Enable3ValidationError(`${field}.${name}`, "cannot be set here: use the client's userAgent option");
  }
  return headers;
}

function numeric(o: Partial<Record<NumericOption, unknown>>, key: NumericOption, prefix: string, fallback: number): number {
  const [, min, max, whole] = NUMBERS[key];
  return o[key] === undefined ? fallback : check.numberIn(o[key], `${prefix}.${key}`, min, max, whole);
}

/**
 * The key, from the option or else the environment; errors name the one it came from. The key goes
 * into a header: a value with control characters would make fetch throw an error quoting it.
 */
function apiKeyOf(option: unknown): string {
  const fromOption = option !== undefined;
  const env = fromOption ? undefined : environment("ENABLE3_API_KEY");
  const value = fromOption ? option : env?.value;
  const field = fromOption ? "options.apiKey" : "ENABLE3_API_KEY";
  if (typeof value !== "string" || value.trim() === "") {
    if (env?.denied) {
      throw new Enable3ValidationError(
        "options.apiKey",
        "is required, and ENABLE3_API_KEY could not be read: this runtime does not let the SDK read the environment (Deno: --allow-env=ENABLE3_API_KEY), so pass apiKey",
      );
    }
    throw new Enable3ValidationError(
      "options.apiKey",
      fromOption ? "must be a non-blank string" : "is required (set ENABLE3_API_KEY or pass apiKey)",
    );
  }
  check.secretText(value, field, "a key");
  if (!/^[\x21-\x7e]+$/.test(value)) {
    throw new Enable3ValidationError(field, "must be printable ASCII with no spaces (value not shown)");
  }
  return value;
}

function proxyOption(value: unknown): ProxyOption {
  if (value === undefined || value === false) return value;
  // its form is checked by the transport that uses it (the Node one): no other transport takes one
  if (typeof value !== "string" && !(value instanceof URL)) {
    throw new Enable3ValidationError("options.proxy", `must be a proxy URL or false, got ${check.typeName(value)}`);
  }
  return value;
}

const RETRY_BUDGET_KEYS = optionKeys<RetryBudgetOptions>()(["capacity", "retryCost", "timeoutRetryCost", "successRefill"]);

function budgetOptions(value: RetryBudgetOptions | undefined): RetryBudgetOptions {
  if (value === undefined) return {};
  const o = check.plainObject(value, "options.retryBudget") as Record<string, unknown>;
  check.checkKnownKeys(o, RETRY_BUDGET_KEYS, "options.retryBudget");
  for (const [key, v] of Object.entries(o)) if (v !== undefined) check.numberIn(v, `options.retryBudget.${key}`, 0, Infinity, true);
  return o as RetryBudgetOptions;
}

// The public client: its options resolved, then its parts wired together (the transport, the telemetry,
// the retry loop, openapi-fetch through the adapter, the caller) under one method per operation (methods.ts).
import { Enable3ValidationError } from "../errors/validation.js";
import { hookFailureReporter } from "../internal/hook-guard.js";
import type { ScopeSource } from "../telemetry/observe.js";
import { createObserver } from "../telemetry/observe.js";
import type { NetworkRoute, Observer, ProxyRoute, Transport } from "../transport/contract.js";
import { createFetchTransport } from "../transport/fetch-transport.js";
import { createLog } from "../transport/log.js";
import type { ProxyOption } from "../transport/proxy.js";
import { createRedactor } from "../transport/redact.js";
import { createRetryLoop } from "../transport/retry-loop.js";
import type { OperationId } from "../types/api.js";
import { createCaller, type ResolvedCall } from "./call.js";
import type { Enable3Client } from "./client-api.js";
import { sendMethods, userMethods } from "./methods.js";
import { createOpenApiClients } from "./openapi-adapter.js";
import { type ClientOptions, type ClientSettings, resolveCallSettings, resolveClientSettings } from "./options.js";
import { PREPARED_SENDS, type PreparedSends } from "./prepared-sends.js";

export type { Enable3Client, WidgetUrlOptions } from "./client-api.js";

/**
 * Creates a client. Throws Enable3ValidationError for a missing key or an unsafe base URL.
 * @example
 * import { createEnable3Client } from "enable3-client";
 * const enable3 = createEnable3Client({ apiKey: process.env.ENABLE3_API_KEY! });
 * await enable3.sendEvent({ userId: "u1", eventId: "deposit", value: 50 });
 */
export function createEnable3Client(options: ClientOptions = {}): Enable3Client {
  return buildClient(options, { transport: globalFetchTransport, route: noProxy });
}

/** The transport where no fetch is given and no faster one is chosen: the runtime's global fetch. */
function globalFetchTransport(): Transport {
  if (typeof globalThis.fetch !== "function") throw new Enable3ValidationError("options.fetch", "is required: this runtime has no fetch");
  return createFetchTransport(globalThis.fetch);
}

/** Outside Node there is no proxy of the SDK's own: the runtime's fetch decides. */
function noProxy(_baseUrl: string, option: ProxyOption): Route {
  if (option)
    throw new Enable3ValidationError(
      "options.proxy",
      "needs the Node transport; on this runtime, configure the proxy in the fetch you pass",
    );
  return { route: {}, secrets: [] };
}

/** How a client reaches the API, the proxy its transport uses (if any), and the proxy's secrets to redact. */
export interface Route {
  route: NetworkRoute;
  proxy?: ProxyRoute | undefined;
  secrets: string[];
}

/** What an entry gives its clients: the transport used when no fetch is given, and how proxies are chosen. */
export interface Platform {
  /** OpenTelemetry for a client given none, where the platform finds `@opentelemetry/api` itself (Node). */
  telemetry?(): ScopeSource | undefined;
  transport(proxy: ProxyRoute | undefined): Transport;
  /** The route to `baseUrl` by the `proxy` option (and, on Node, the environment); `ownFetch`: a fetch was given. */
  route(baseUrl: string, option: ProxyOption, ownFetch: boolean): Route;
}

/**
 * The client over a transport: the caller's fetch when given, else the platform's (the Node entry
 * passes its node:http one). Entries call this; operators call createEnable3Client.
 */
export function buildClient(options: ClientOptions, platform: Platform): Enable3Client {
  const settings = resolveClientSettings(options);
  if (settings.fetch && settings.proxy) {
    throw new Enable3ValidationError("options.proxy", "cannot be used with options.fetch: a given fetch decides its own proxy");
  }
  const { route, proxy, secrets } = platform.route(settings.baseUrl, settings.proxy, settings.fetch !== undefined);
  const redact = createRedactor(settings.apiKey, ...secrets);
  const log = createLog(settings.logger, settings.logLevel, redact);
  const transport = settings.fetch ? createFetchTransport(settings.fetch) : platform.transport(proxy);
  const telemetry =
    settings.telemetry === false ? undefined : ((settings.telemetry?.signal as ScopeSource | undefined) ?? platform.telemetry?.());
  const observer = createObserver({
    log,
    hooks: settings.hooks,
    telemetry,
    reportHookError: hookFailureReporter("client", log.warn),
  });
  const send = createRetryLoop({ attempt: transport.attempt, budget: settings.budget, observer, redact });
  const clients = createOpenApiClients({ baseUrl: settings.baseUrl, headers: requestHeaders(settings) }, send, settings.call, redact);
  const { call, callResolved } = createCaller(settings, clients, redact, route);
  const prepared = createPreparedSends(callResolved, settings, observer);
  const client: Enable3Client = {
    raw: clients.raw,
    route,
    close: () => transport.close(),
    ...userMethods(call),
    ...sendMethods(call, prepared),
  };
  // `await using` where the runtime defines the symbol (left out of the type: see close())
  if (typeof Symbol.asyncDispose === "symbol") Object.defineProperty(client, Symbol.asyncDispose, { value: () => transport.close() });
  // the outbox's way in (prepared-sends.ts): not enumerable, not in the type
  Object.defineProperty(client, PREPARED_SENDS, { value: prepared });
  // every operation of the spec has a method: an operation added to the spec fails to compile here
  return client satisfies Record<OperationId, unknown>;
}

/** Every request's headers: the caller's, the key, and the User-Agent (where the runtime lets it be set). */
function requestHeaders(settings: ClientSettings): Record<string, string> {
  const headers: Record<string, string> = { ...settings.headers, "X-API-KEY": settings.apiKey };
  if (settings.userAgent !== undefined) headers["User-Agent"] = settings.userAgent;
  return headers;
}

/** A client's prepared sends over its resolved call: bodies already checked (bulk runs, the outbox), settings resolved once per run. */
function createPreparedSends(callResolved: ResolvedCall, settings: ClientSettings, observer: Observer): PreparedSends {
  return {
    settings: (requestOptions) => resolveCallSettings(settings, requestOptions),
    event: (body, callSettings) =>
      callResolved("sendEvent", callSettings, (api, init) => api.POST("/api/v1/event", { body, ...init }), undefined, undefined, body.id),
    revenue: (body, callSettings) =>
      callResolved(
        "sendRevenue",
        callSettings,
        (api, init) => api.POST("/api/v1/revenue", { body, ...init }),
        undefined,
        undefined,
        body.requestId,
      ),
    assignSegments: (body, callSettings) =>
      callResolved(
        "assignSegments",
        callSettings,
        (api, init) => api.POST("/api/v1/segment/users/", { body, ...init }),
        undefined,
        undefined,
        undefined,
      ),
    removeSegments: (body, callSettings) =>
      callResolved(
        "removeSegments",
        callSettings,
        (api, init) => api.DELETE("/api/v1/segment/users", { body, ...init }),
        undefined,
        undefined,
        undefined,
      ),
    settled: (operation, outcome) => observer.bulkItemSettled(operation, outcome),
  };
}

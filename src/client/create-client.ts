// The public client: one method per operation of the spec. Each method checks its input, then makes
// its openapi-fetch call (through the adapter) over the retry loop and the client's transport.
import { Enable3ConflictError, Enable3ValidationError } from "../errors/classes.js";
import { idempotencyField, withIdempotencyKey } from "../errors/messages.js";
import { hookFailureReporter } from "../internal/hook-guard.js";
import * as check from "../internal/validate.js";
import type { ScopeSource } from "../telemetry/observe.js";
import { createObserver } from "../telemetry/observe.js";
import type { CallSettings, NetworkRoute, ProxyRoute, Transport } from "../transport/contract.js";
import { createFetchTransport } from "../transport/fetch-transport.js";
import { createLog } from "../transport/log.js";
import type { ProxyOption } from "../transport/proxy.js";
import { createRedactor } from "../transport/redact.js";
import { createRetryLoop } from "../transport/retry-loop.js";
import type { OperationId, WidgetUrlQuery } from "../types/api.js";
import type { BulkOptions, BulkReport } from "./bulk.js";
import { createCaller } from "./call.js";
import type { Enable3Client, WidgetUrlOptions } from "./client-api.js";
import { createOpenApiClients } from "./openapi-adapter.js";
import { type ClientOptions, type ClientSettings, type RequestOptions, resolveCallSettings, resolveClientSettings } from "./options.js";
import { PREPARED_SENDS, type PreparedSends } from "./prepared-sends.js";
import { eventBody, revenueBody, segmentsBody, websitesBody } from "./request-bodies.js";
import { userBalanceResponseCheck, userTokenResponseCheck, widgetUrlResponseCheck } from "./response-checks.js";
import { type ResponseSink, respond } from "./response-promise.js";

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

/** A broken hook, told once: through the logger when it hears warnings, else the console. */
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
  const postEvent = (body: ReturnType<typeof eventBody>, options: RequestOptions | undefined, sink?: ResponseSink) =>
    call("sendEvent", options, (api, init) => api.POST("/api/v1/event", { body, ...init }), sink, undefined, body.id);
  const postRevenue = (body: ReturnType<typeof revenueBody>, options: RequestOptions | undefined, sink?: ResponseSink) =>
    call("sendRevenue", options, (api, init) => api.POST("/api/v1/revenue", { body, ...init }), sink, undefined, body.requestId);
  // bodies already checked (bulk runs, the outbox), settings resolved once per run
  const prepared: PreparedSends = {
    settings: (options) => resolveCallSettings(settings, options),
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
  const userPathParams = (operatorUserId: string) => ({ path: { operatorUserId: check.userId(operatorUserId, "operatorUserId") } });

  const client: Enable3Client = {
    raw: clients.raw,
    route,
    close: () => transport.close(),
    sendEvent: (event, options) =>
      respond(async (sink) => {
        const body = keyedBody(eventBody, event, "sendEvent");
        await postEvent(body, options, sink);
        return { id: body.id };
      }),
    getWidgetUrl: (operatorUserId, options) =>
      respond(async (sink) => {
        const params = { ...userPathParams(operatorUserId), query: widgetQuery(options) };
        const response = await call(
          "getWidgetUrl",
          options,
          (api, init) => api.GET("/api/v1/integration/user/{operatorUserId}/widget", { params, ...init }),
          sink,
          widgetUrlResponseCheck,
        );
        const receivedAt = Date.now();
        return (await urlExpiry()).toWidgetUrl(response, receivedAt);
      }),
    getUserToken: (operatorUserId, options) =>
      respond(async (sink) => {
        const params = userPathParams(operatorUserId);
        const response = await call(
          "getUserToken",
          options,
          (api, init) => api.GET("/api/v1/integration/user/{operatorUserId}/token", { params, ...init }),
          sink,
          userTokenResponseCheck,
        );
        return (await urlExpiry()).toUserToken(response);
      }),
    sendRevenue: (revenue, options) =>
      respond(async (sink) => {
        const body = keyedBody(revenueBody, revenue, "sendRevenue");
        await postRevenue(body, options, sink);
        return { requestId: body.requestId };
      }),
    assignSegments: (assignments, options) =>
      respond(async (sink) => {
        const body = segmentsBody(assignments);
        await call("assignSegments", options, (api, init) => api.POST("/api/v1/segment/users/", { body, ...init }), sink);
      }),
    removeSegments: (assignments, options) =>
      respond(async (sink) => {
        const body = segmentsBody(assignments);
        await call("removeSegments", options, (api, init) => api.DELETE("/api/v1/segment/users", { body, ...init }), sink);
      }),
    getUserBalance: (operatorUserId, options) =>
      respond(async (sink) => {
        const params = userPathParams(operatorUserId);
        return call(
          "getUserBalance",
          options,
          (api, init) => api.GET("/api/v1/integration/user/{operatorUserId}/balance", { params, ...init }),
          sink,
          userBalanceResponseCheck,
        );
      }),
    sendEvents(events, options) {
      return sendAll(events, options, {
        field: "events",
        build: eventBody,
        idKey: "id",
        post: prepared.event,
        prepared,
        operation: "sendEvent",
      });
    },
    sendRevenues(revenues, options) {
      return sendAll(revenues, options, {
        field: "revenues",
        build: revenueBody,
        idKey: "requestId",
        post: prepared.revenue,
        prepared,
        operation: "sendRevenue",
      });
    },
    addWebsites: (websites, options) =>
      respond(async (sink) => {
        const body = websitesBody(websites);
        try {
          await call("addWebsites", options, (api, init) => api.POST("/api/v1/integration/websites", { body, ...init }), sink);
          return { websites: body.websites, registeredByEarlierAttempt: false };
        } catch (error) {
          // a 409 to a retry means the attempt whose answer was lost did register them
          if (error instanceof Enable3ConflictError && (error.attempts ?? 1) > 1)
            return { websites: body.websites, registeredByEarlierAttempt: true };
          throw error;
        }
      }),
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

/**
 * Reading a token's expiry (a JWT decoder) is loaded on the first widget-URL or token call, like bulk
 * sending: a call that already needed the network pays for it, not start-up (scripts/size.mjs counts it).
 */
const urlExpiry = () => import("./url-expiry.js");

/** What a bulk run sends: the batch's field name, how an item becomes a body, its id, and its one call. */
interface BulkKind<I, K extends string, B extends Record<K, string>> {
  field: string;
  build: (item: I, field: string) => B;
  idKey: K;
  post: (body: B, settings: CallSettings) => Promise<unknown>;
  prepared: PreparedSends;
  operation: "sendEvent" | "sendRevenue";
}

/** Bulk sending is loaded on first use: most callers never need it, so start-up does not parse it (scripts/size.mjs counts it). */
async function sendAll<I, K extends string, B extends Record<K, string>>(
  items: Iterable<I> | AsyncIterable<I>,
  options: BulkOptions<I> | undefined,
  { field, build, idKey, post, prepared, operation }: BulkKind<I, K, B>,
): Promise<BulkReport> {
  const { sendInBulk } = await import("./bulk.js");
  return sendInBulk(
    items,
    {
      prepare: (item, index) => build(item, `${field}[${index}]`),
      idOf: (body) => body[idKey],
      settings: prepared.settings,
      send: post,
      // the id an item carried even though it failed validation, for the report
      idOfInvalid(item) {
        const id = (item as Partial<Record<K, unknown>> | null)?.[idKey];
        return typeof id === "string" ? id : undefined;
      },
      observe: (outcome) => prepared.settled(operation, outcome),
    },
    options,
  );
}

/**
 * The body of a sendEvent or sendRevenue; bad input throws naming the idempotency key the caller gave
 * (when it is a valid one): whatever failed, the caller learns which id to resend with.
 */
function keyedBody<I, B>(build: (input: I) => B, input: I, operation: "sendEvent" | "sendRevenue"): B {
  try {
    return build(input);
  } catch (error) {
    throw withIdempotencyKey(error, operation, givenKey(input, idempotencyField(operation)));
  }
}

/** The id the caller gave, when it is one the SDK would send (a getter that throws gives none). */
function givenKey(input: unknown, field: string): string | undefined {
  try {
    return check.isRecord(input) ? check.identifier(input[field], field) : undefined;
  } catch {
    return undefined;
  }
}

/** `params` pass through untouched; a `referralCode` given both ways must agree, or nothing is sent. */
function widgetQuery(options: WidgetUrlOptions | undefined): WidgetUrlQuery {
  const params = options?.params === undefined ? {} : check.stringRecord(options.params, "options.params");
  const referralCode = options?.referralCode === undefined ? undefined : check.nonBlankString(options.referralCode, "options.referralCode");
  if (referralCode !== undefined && params.referralCode !== undefined && params.referralCode !== referralCode) {
    throw new Enable3ValidationError("options.params.referralCode", "differs from options.referralCode");
  }
  return referralCode === undefined ? params : { ...params, referralCode };
}

// The client's methods, one per operation: each checks its input, makes its call (call.ts) and shapes
// what it returns. The client's wiring (settings, transport, telemetry, retry loop) is create-client.ts.
import { Enable3ConflictError } from "../errors/api.js";
import { idempotencyField, withIdempotencyKey } from "../errors/messages.js";
import { Enable3ValidationError } from "../errors/validation.js";
import * as check from "../internal/validate.js";
import type { CallSettings } from "../transport/contract.js";
import type { WidgetUrlQuery } from "../types/api.js";
import type { BulkOptions, BulkReport } from "./bulk-types.js";
import type { createCaller } from "./call.js";
import type { Enable3Client, WidgetUrlOptions } from "./client-api.js";
import type { PreparedSends } from "./prepared-sends.js";
import { eventBody, revenueBody, segmentsBody, websitesBody } from "./request-bodies.js";
import { userBalanceResponseCheck, userTokenResponseCheck, widgetUrlResponseCheck } from "./response-checks.js";
import { respond } from "./response-promise.js";

/** A method's call: its per-call options checked, then run (call.ts). */
type Call = ReturnType<typeof createCaller>["call"];

/** The methods that read a user's data: path parameters checked, the answer's shape checked. */
export function userMethods(call: Call): Pick<Enable3Client, "getWidgetUrl" | "getUserToken" | "getUserBalance"> {
  return {
    getWidgetUrl: (operatorUserId, requestOptions) =>
      respond(async (sink) => {
        const params = { ...userPathParams(operatorUserId), query: widgetQuery(requestOptions) };
        const response = await call(
          "getWidgetUrl",
          requestOptions,
          (api, init) => api.GET("/api/v1/integration/user/{operatorUserId}/widget", { params, ...init }),
          sink,
          widgetUrlResponseCheck,
        );
        const receivedAt = Date.now();
        return (await urlExpiry()).toWidgetUrl(response, receivedAt);
      }),
    getUserToken: (operatorUserId, requestOptions) =>
      respond(async (sink) => {
        const params = userPathParams(operatorUserId);
        const response = await call(
          "getUserToken",
          requestOptions,
          (api, init) => api.GET("/api/v1/integration/user/{operatorUserId}/token", { params, ...init }),
          sink,
          userTokenResponseCheck,
        );
        return (await urlExpiry()).toUserToken(response);
      }),
    getUserBalance: (operatorUserId, requestOptions) =>
      respond(async (sink) => {
        const params = userPathParams(operatorUserId);
        return call(
          "getUserBalance",
          requestOptions,
          (api, init) => api.GET("/api/v1/integration/user/{operatorUserId}/balance", { params, ...init }),
          sink,
          userBalanceResponseCheck,
        );
      }),
  };
}

type SendMethod = "sendEvent" | "sendRevenue" | "assignSegments" | "removeSegments" | "addWebsites" | "sendEvents" | "sendRevenues";

/** The methods that send: bodies checked (an event's or revenue's errors name its idempotency key), one call each or a bulk run. */
export function sendMethods(call: Call, prepared: PreparedSends): Pick<Enable3Client, SendMethod> {
  return {
    sendEvent: (event, requestOptions) =>
      respond(async (sink) => {
        const body = keyedBody(eventBody, event, "sendEvent");
        await call("sendEvent", requestOptions, (api, init) => api.POST("/api/v1/event", { body, ...init }), sink, undefined, body.id);
        return { id: body.id };
      }),
    sendRevenue: (revenue, requestOptions) =>
      respond(async (sink) => {
        const body = keyedBody(revenueBody, revenue, "sendRevenue");
        await call(
          "sendRevenue",
          requestOptions,
          (api, init) => api.POST("/api/v1/revenue", { body, ...init }),
          sink,
          undefined,
          body.requestId,
        );
        return { requestId: body.requestId };
      }),
    assignSegments: (assignments, requestOptions) =>
      respond(async (sink) => {
        const body = segmentsBody(assignments);
        await call("assignSegments", requestOptions, (api, init) => api.POST("/api/v1/segment/users/", { body, ...init }), sink);
      }),
    removeSegments: (assignments, requestOptions) =>
      respond(async (sink) => {
        const body = segmentsBody(assignments);
        await call("removeSegments", requestOptions, (api, init) => api.DELETE("/api/v1/segment/users", { body, ...init }), sink);
      }),
    addWebsites: (websites, requestOptions) =>
      respond(async (sink) => {
        const body = websitesBody(websites);
        try {
          await call("addWebsites", requestOptions, (api, init) => api.POST("/api/v1/integration/websites", { body, ...init }), sink);
          return { websites: body.websites, registeredByEarlierAttempt: false };
        } catch (error) {
          // a 409 to a retry means the attempt whose answer was lost did register them
          if (error instanceof Enable3ConflictError && (error.attempts ?? 1) > 1)
            return { websites: body.websites, registeredByEarlierAttempt: true };
          throw error;
        }
      }),
    sendEvents: (events, bulkOptions) =>
      sendAll(events, bulkOptions, {
        field: "events",
        build: eventBody,
        idKey: "id",
        post: prepared.event,
        prepared,
        operation: "sendEvent",
      }),
    sendRevenues: (revenues, bulkOptions) =>
      sendAll(revenues, bulkOptions, {
        field: "revenues",
        build: revenueBody,
        idKey: "requestId",
        post: prepared.revenue,
        prepared,
        operation: "sendRevenue",
      }),
  };
}

const userPathParams = (operatorUserId: string) => ({ path: { operatorUserId: check.userId(operatorUserId, "operatorUserId") } });

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
  bulkOptions: BulkOptions<I> | undefined,
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
    bulkOptions,
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
function widgetQuery(requestOptions: WidgetUrlOptions | undefined): WidgetUrlQuery {
  const params = requestOptions?.params === undefined ? {} : check.stringRecord(requestOptions.params, "options.params");
  const referralCode =
    requestOptions?.referralCode === undefined ? undefined : check.nonBlankString(requestOptions.referralCode, "options.referralCode");
  if (referralCode !== undefined && params.referralCode !== undefined && params.referralCode !== referralCode) {
    throw new Enable3ValidationError("options.params.referralCode", "differs from options.referralCode");
  }
  return referralCode === undefined ? params : { ...params, referralCode };
}

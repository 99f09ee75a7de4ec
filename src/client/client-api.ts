// The public client's shape: one method per operation of the spec, plus bulk sending, `raw`, the route
// and close(). Types only; create-client.ts builds it.

import type { NetworkRoute } from "../transport/contract.js";
import type {
  AddWebsitesResult,
  EventInput,
  RevenueInput,
  SegmentAssignments,
  SendEventResult,
  SendRevenueResult,
  UserBalance,
  WidgetUrlQuery,
} from "../types/api.js";
import type { BulkOptions, BulkReport } from "./bulk-types.js";
import type { RawClient } from "./openapi-adapter.js";
import type { RequestOptions } from "./options.js";
import type { Enable3Promise } from "./response-promise.js";
import type { UserToken, WidgetUrl } from "./url-expiry.js";

/** Options of {@link Enable3Client.getWidgetUrl}. */
export interface WidgetUrlOptions extends RequestOptions {
  /** Applied as if the user typed it. */
  referralCode?: WidgetUrlQuery["referralCode"] | undefined;
  /** Extra deep-link query parameters, passed through untouched (their names are not published). */
  params?: Record<string, string> | undefined;
}

/**
 * A client of the Enable3 Integration API: one method per operation, plus bulk sending and `raw`. Each
 * operation's promise also has `.withResponse()`: the data and the response's status, headers (redacted),
 * server request id and attempts (see {@link Enable3Promise}).
 */
export interface Enable3Client {
  /**
   * Sends an event for event-based missions. Returns the id it was sent with.
   * @example const { id } = await enable3.sendEvent({ userId: "u1", eventId: "deposit", value: 50 });
   */
  sendEvent(event: EventInput, options?: RequestOptions): Enable3Promise<SendEventResult>;
  /**
   * A URL for the user's widget, with a token valid for one day, and when it expires. Creates the
   * user if missing. To reuse URLs across page views, wrap the client with `createWidgetCache`.
   * @example const { url, expiresAt } = await enable3.getWidgetUrl("u1", { referralCode: "FRIEND10" });
   */
  getWidgetUrl(operatorUserId: string, options?: WidgetUrlOptions): Enable3Promise<WidgetUrl>;
  /**
   * A JWT for the native mobile SDK, and its expiry read from the token (not verified: the signing
   * key is Enable3's).
   * @example const { token, expiresAt } = await enable3.getUserToken("u1");
   */
  getUserToken(operatorUserId: string, options?: RequestOptions): Enable3Promise<UserToken>;
  /**
   * Reports revenue in USDT for Hold to Earn. Returns the request id it was sent with.
   * @example await enable3.sendRevenue({ revenue: 1250.5, date: new Date() });
   */
  sendRevenue(revenue: RevenueInput, options?: RequestOptions): Enable3Promise<SendRevenueResult>;
  /**
   * Adds users to segments.
   * @example await enable3.assignSegments([{ userId: "u1", segmentIds: ["vip"] }]);
   */
  assignSegments(assignments: SegmentAssignments, options?: RequestOptions): Enable3Promise<void>;
  /**
   * Removes users from segments.
   * @example await enable3.removeSegments([{ userId: "u1", segmentIds: ["vip"] }]);
   */
  removeSegments(assignments: SegmentAssignments, options?: RequestOptions): Enable3Promise<void>;
  /**
   * The user's token balance; `balance` is a decimal string, never a float.
   * @example const { balance, userExists } = await enable3.getUserBalance("u1");
   */
  getUserBalance(operatorUserId: string, options?: RequestOptions): Enable3Promise<UserBalance>;
  /**
   * Registers websites for the operator. A duplicate answers 409 (Enable3ConflictError), except on a
   * retry, where a 409 means the earlier attempt (whose answer was lost) registered them: that
   * resolves, with `registeredByEarlierAttempt: true`.
   * @example const { registeredByEarlierAttempt } = await enable3.addWebsites(["https://casino.example"]);
   */
  addWebsites(websites: readonly string[], options?: RequestOptions): Enable3Promise<AddWebsitesResult>;
  /**
   * Sends many events, read lazily from an array or any (async) iterable, with bounded concurrency.
   * Resolves (never rejects for a failed item) to a report listing every input once.
   * @example
   * const report = await enable3.sendEvents(events, { concurrency: 16 });
   * for (const { index, id, error } of report.failed) console.error(index, id, error.message);
   */
  sendEvents(events: Iterable<EventInput> | AsyncIterable<EventInput>, options?: BulkOptions<EventInput>): Promise<BulkReport>;
  /**
   * Sends many revenue reports, like {@link Enable3Client.sendEvents}.
   * @example const report = await enable3.sendRevenues(rows, { concurrency: 4 });
   */
  sendRevenues(revenues: Iterable<RevenueInput> | AsyncIterable<RevenueInput>, options?: BulkOptions<RevenueInput>): Promise<BulkReport>;
  /**
   * A second openapi-fetch client, typed by the generated `paths`, on the same retrying transport with
   * the client's settings, for requests the methods do not cover. A call's `signal` aborts it, retries
   * and waits included. Like the methods it does not follow redirects unless a call passes
   * `{ redirect: "follow" }`; its errors come back as openapi-fetch's `{ error, response }`.
   * @example const { data, error } = await enable3.raw.GET("/api/v1/integration/user/{operatorUserId}/balance", { params: { path: { operatorUserId: "u1" } } });
   */
  readonly raw: RawClient;
  /**
   * How this client reaches the API: the proxy it sends through (credentials redacted, and where it
   * came from: the `proxy` option or an environment variable), or, when a proxy variable is set but not
   * used, its name and why. `enable3 doctor` prints it; log it at start-up to see the egress in use.
   * @example if (enable3.route.proxy) console.log(`Enable3 calls go through ${enable3.route.proxy.shown}`);
   */
  readonly route: NetworkRoute;
  /**
   * Ends this client's use of its connections. On Node, clients share one keep-alive pool per origin
   * and proxy: close() leaves calls in flight to finish, and once no open client uses a pool, its idle
   * sockets close at once and the rest as their responses end (idle ones close after 4 s anyway, and
   * never keep a process alive). Nothing to do on fetch. Calls made afterwards still work: they
   * open connections again. The client is also AsyncDisposable
   * at run time (`await using`) where the runtime defines Symbol.asyncDispose; the type leaves that
   * symbol out so that projects without the esnext.disposable lib still compile.
   * @example await enable3.close();
   */
  close(): Promise<void>;
}

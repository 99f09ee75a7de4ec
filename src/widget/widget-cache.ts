// The widget-URL and SDK-token cache as a wrapper around a client: operators fetch these on every
// page view or app start, yet they last a day.
import type { Enable3Client, WidgetUrlOptions } from "../client/create-client.js";
import type { RequestOptions } from "../client/options.js";
import type { UserToken, WidgetUrl } from "../client/url-expiry.js";
import { ExpiringCache, type WidgetCacheOptions } from "./expiring-cache.js";

/** A widget-URL and SDK-token cache around a client (see {@link createWidgetCache}). */
export interface WidgetCache {
  /** Like the client's, served from the cache until `refreshMarginMs` before the URL expires. */
  getWidgetUrl(operatorUserId: string, options?: WidgetUrlOptions): Promise<WidgetUrl>;
  /** Like the client's; a token without `exp` is never cached. */
  getUserToken(operatorUserId: string, options?: RequestOptions): Promise<UserToken>;
  /** Forgets every entry. */
  clear(): void;
}

/**
 * Caches a client's widget URLs and SDK tokens. Concurrent requests for the same key share one API
 * call; the least recently used entry goes beyond `maxEntries`; errors are never cached. Throws
 * Enable3ValidationError for options out of range.
 * @example
 * const widgets = createWidgetCache(enable3, { maxEntries: 10_000 });
 * const { url } = await widgets.getWidgetUrl(session.userId);
 */
export function createWidgetCache(client: Enable3Client, options: WidgetCacheOptions = {}): WidgetCache {
  const urls = new ExpiringCache<WidgetUrl>(options, (w) => w.expiresAt);
  const tokens = new ExpiringCache<UserToken>(options, (t) => t.expiresAt);
  return {
    getWidgetUrl(operatorUserId, o) {
      // the query the API will see: params and referralCode are one namespace there
      const query = { ...o?.params, ...(o?.referralCode === undefined ? {} : { referralCode: o.referralCode }) };
      const key = cacheKey(
        "widget",
        operatorUserId,
        o,
        Object.entries(query).sort(([a], [b]) => (a < b ? -1 : 1)),
      );
      return urls.get(key, (signal) => client.getWidgetUrl(operatorUserId, { ...o, signal }), o?.signal);
    },
    getUserToken(operatorUserId, o) {
      return tokens.get(cacheKey("token", operatorUserId, o), (signal) => client.getUserToken(operatorUserId, { ...o, signal }), o?.signal);
    },
    clear() {
      urls.clear();
      tokens.clear();
    },
  };
}

/**
 * Callers share a load (and an entry) only when it would be the same request: the same user and query,
 * and the same per-call headers and limits, so no caller's load runs with another caller's settings.
 */
function cacheKey(kind: string, operatorUserId: string, o: RequestOptions | undefined, query?: unknown): string {
  const headers = o?.headers === undefined ? [] : Object.entries(o.headers).sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify([kind, operatorUserId, query ?? null, headers, o?.maxRetries ?? null, o?.timeoutMs ?? null, o?.deadlineMs ?? null]);
}

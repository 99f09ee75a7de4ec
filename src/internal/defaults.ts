// The default of every option in one file: the code reads them from here, the option docs repeat them
// as @default, and a test holds the README's configuration table to them (fixed limits that are not
// options, such as a redirect's 64 KiB drain, stay beside the code they bound). One object per area, so a
// bundle carries only the defaults of what it uses.
export const CLIENT_DEFAULTS = {
  baseUrl: "https://integration.enable3.io",
  maxRetries: 2,
  initialDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
  retryOnStatus: [408, 429, 500, 502, 503, 504],
  timeoutMs: 30_000,
  deadlineMs: 120_000,
  maxResponseBytes: 4 * 1024 * 1024,
  logLevel: "off",
} as const;

export const RETRY_BUDGET_DEFAULTS = { capacity: 500, retryCost: 5, timeoutRetryCost: 10, successRefill: 1 } as const;

export const WIDGET_CACHE_DEFAULTS = { maxEntries: 1000, refreshMarginMs: 5 * 60 * 1000 } as const;

/** The withdrawal receiver (callback/receiver.ts): a callback is a few hundred bytes, sent in one go. */
export const RECEIVER_DEFAULTS = {
  maxBodyBytes: 64 * 1024,
  bodyTimeoutMs: 10_000,
  inFlightWaitMs: 10_000,
  leaseMs: 60_000,
  handlerTimeoutMs: 60_000,
  retentionMs: 30 * 24 * 60 * 60 * 1000,
} as const;

/**
 * Withdrawal marks' lifetime (callback/retention.ts): a mark is purged only once it is older than
 * retentionMs plus this margin, so clocks that disagree by less than a day never purge a mark a
 * receiver would still accept a callback for; purges run this often, the first at the first delivery.
 */
export const RETENTION = { marginMs: 24 * 60 * 60 * 1000, purgeEveryMs: 60 * 60 * 1000, purgeBatch: 1000 } as const;

/** The outbox (outbox/outbox-options.ts; its options repeat them as `@default`). */
export const OUTBOX_DEFAULTS = {
  concurrency: 8,
  initialDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
  retryForMs: 3 * 24 * 60 * 60_000,
  closeTimeoutMs: 10_000,
  deadRetentionMs: 30 * 24 * 60 * 60_000,
} as const;

/** The outbox's fileStore (outbox/file-store.ts). */
export const FILE_STORE_DEFAULTS = { segmentBytes: 8 * 1024 * 1024, maxRetrying: 1024, syncIntervalMs: 1_000 } as const;

/** The outbox's postgresStore (outbox/postgres-store.ts). */
export const OUTBOX_POSTGRES_DEFAULTS = {
  leaseMs: 30_000,
  batchSize: 100,
  pollIntervalMs: 2_000,
  statsIntervalMs: 5_000,
} as const;

/** What both postgresStores take alike (postgres/store-options.ts). */
export const POSTGRES_STORE_DEFAULTS = { schema: "public" } as const;

export const BULK_DEFAULTS = { concurrency: 8, collectDelivered: true, collectFailed: true } as const;

/** The documented lifetime of a widget URL's token: the expiry assumed when the URL carries no readable JWT. */
export const WIDGET_URL_LIFETIME_MS = 24 * 60 * 60 * 1000;

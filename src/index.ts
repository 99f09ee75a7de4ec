// enable3-client: the core entry. Runs wherever a global fetch exists (Node, Bun, Deno, browsers, workers).
// Every public name is listed here by hand: nothing becomes API by accident.

export type { components, operations, paths } from "./generated/enable3.js";
export type { BulkDelivered, BulkFailure, BulkOptions, BulkOutcome, BulkProgress, BulkReport } from "./wrappers/client/bulk.js";
export type { Enable3Client, WidgetUrlOptions } from "./wrappers/client/create-client.js";
export { createEnable3Client } from "./wrappers/client/create-client.js";
export type { ErrorContext } from "./wrappers/errors.js";
export {
  Enable3AbortError,
  Enable3ApiError,
  Enable3AuthenticationError,
  Enable3BadRequestError,
  Enable3ConflictError,
  Enable3ConnectionError,
  Enable3Error,
  Enable3InvalidResponseError,
  Enable3NotFoundError,
  Enable3PermissionError,
  Enable3RateLimitError,
  Enable3RedirectError,
  Enable3ResponseTooLargeError,
  Enable3ServerError,
  Enable3TimeoutError,
  Enable3UnprocessableEntityError,
  Enable3ValidationError,
} from "./wrappers/errors.js";
export { formatApiDate } from "./wrappers/internal/dates.js";
export { WIDGET_URL_LIFETIME_MS } from "./wrappers/internal/defaults.js";
export type { Logger, LogLevel } from "./wrappers/transport/log.js";
export type { ClientOptions, RequestOptions } from "./wrappers/transport/options.js";
export { DEFAULT_BASE_URL } from "./wrappers/transport/options.js";
export type { RetryBudgetOptions } from "./wrappers/transport/retry-budget.js";
export type { RetryOptions } from "./wrappers/transport/retry-policy.js";
export type {
  AddWebsitesResult,
  EventInput,
  OperationId,
  RevenueInput,
  SegmentAssignment,
  SegmentAssignments,
  SendEventResult,
  SendRevenueResult,
  UserBalance,
  UserTokenResponse,
  Websites,
  WidgetUrlQuery,
  WidgetUrlResponse,
  WithdrawalCallback,
} from "./wrappers/types.js";
export type { UserToken, WidgetUrl } from "./wrappers/widget/url-expiry.js";

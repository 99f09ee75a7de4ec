// enable3-client: the core entry. Runs wherever a global fetch exists (Node, Bun, Deno, browsers, workers).
// Every public name is listed here by hand: nothing becomes API by accident.
export { createEnable3Client } from "./wrappers/client/create-client.js";
export type { Enable3Client, WidgetUrlOptions } from "./wrappers/client/create-client.js";
export type { BulkOptions, BulkReport, BulkProgress, BulkDelivered, BulkFailure, BulkOutcome } from "./wrappers/client/bulk.js";
export { DEFAULT_BASE_URL } from "./wrappers/transport/options.js";
export type { ClientOptions, RequestOptions } from "./wrappers/transport/options.js";
export type { RetryOptions } from "./wrappers/transport/retry-policy.js";
export type { RetryBudgetOptions } from "./wrappers/transport/retry-budget.js";
export type { Logger, LogLevel } from "./wrappers/transport/log.js";
export { formatApiDate } from "./wrappers/internal/dates.js";
export {
  Enable3Error, Enable3ValidationError, Enable3ConnectionError, Enable3TimeoutError, Enable3AbortError,
  Enable3InvalidResponseError, Enable3RedirectError, Enable3ResponseTooLargeError, Enable3ApiError, Enable3BadRequestError,
  Enable3AuthenticationError, Enable3PermissionError, Enable3NotFoundError, Enable3ConflictError, Enable3UnprocessableEntityError,
  Enable3RateLimitError, Enable3ServerError,
} from "./wrappers/errors.js";
export type { ErrorContext } from "./wrappers/errors.js";
export type {
  AddWebsitesResult, EventInput, OperationId, RevenueInput, SegmentAssignment, SegmentAssignments, SendEventResult, SendRevenueResult,
  UserBalance, UserTokenResponse, Websites, WidgetUrlQuery, WidgetUrlResponse, WithdrawalCallback,
} from "./wrappers/types.js";
export type { paths, components, operations } from "./generated/enable3.js";
export type { WidgetUrl, UserToken } from "./wrappers/widget/url-expiry.js";
export { WIDGET_URL_LIFETIME_MS } from "./wrappers/internal/defaults.js";

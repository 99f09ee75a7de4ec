// enable3-client: the core entry. Runs wherever a global fetch exists (Node, Bun, Deno, browsers, workers).
// Every public name is listed here by hand: nothing becomes API by accident.

export type { BulkDeliveredItem, BulkFailedItem, BulkOptions, BulkProgress, BulkReport, BulkSettledItem } from "./client/bulk-types.js";
export type { Enable3Client, WidgetUrlOptions } from "./client/create-client.js";
export { createEnable3Client } from "./client/create-client.js";
export type { ClientOptions, RequestOptions } from "./client/options.js";
export { DEFAULT_BASE_URL } from "./client/options.js";
export type { Enable3Promise, ResponseInfo, WithResponse } from "./client/response-promise.js";
export type { UserToken, WidgetUrl } from "./client/url-expiry.js";
export {
  Enable3ApiError,
  Enable3AuthenticationError,
  Enable3BadRequestError,
  Enable3ConflictError,
  Enable3InvalidResponseError,
  Enable3NotFoundError,
  Enable3PermissionError,
  Enable3RateLimitError,
  Enable3RedirectError,
  Enable3ResponseTooLargeError,
  Enable3ServerError,
  Enable3UnprocessableEntityError,
} from "./errors/api.js";
export type { Enable3ErrorCode, ErrorContext } from "./errors/base.js";
export { Enable3Error } from "./errors/base.js";
export type { TlsFailureReason } from "./errors/network.js";
export {
  Enable3AbortError,
  Enable3ConnectionError,
  Enable3ProtocolError,
  Enable3ProxyError,
  Enable3TimeoutError,
  Enable3TlsError,
} from "./errors/network.js";
export type { FieldPathStep } from "./errors/validation.js";
export { Enable3ValidationError, formatFieldPath } from "./errors/validation.js";
export type { components, operations, paths } from "./generated/enable3.js";
export { formatApiDate, toApiDate } from "./internal/dates.js";
export { WIDGET_URL_LIFETIME_MS } from "./internal/defaults.js";
/** @internal For the `enable3` command's "did you mean" (the CLI imports only the public entries); not part of the API. */
export { editDistance } from "./internal/edit-distance.js";
export type { CallErrorEvent, CallEvent, ClientHooks, RequestEvent, ResponseEvent, RetryEvent } from "./telemetry/hooks.js";
export type { Telemetry } from "./telemetry/opentelemetry.js";
export type { NetworkRoute, ProxyShown, UnusedProxy, UnusedProxyReason } from "./transport/contract.js";
export type { Logger, LogLevel } from "./transport/log.js";
export type { RetryBudgetOptions } from "./transport/retry-budget.js";
export type { RetryOptions } from "./transport/retry-policy.js";
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
} from "./types/api.js";
export type { BulkDelivered, BulkFailure, BulkOutcome } from "./types/deprecated.js";

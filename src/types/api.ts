// Public input and output types, all derived from the generated spec types: nothing is copied by hand.
import type { components, operations } from "../generated/enable3.js";

type Schemas = components["schemas"];

/** An event for event-based missions. `id` defaults to a random UUID, `createdAt` to now. */
export type EventInput = Omit<Schemas["AppEventDto"], "id" | "createdAt"> & {
  /** The idempotency key: reuse it when you resend the event. Default: a random UUID. */
  id?: Schemas["AppEventDto"]["id"] | undefined;
  /** A Date is sent as `yyyy-MM-dd HH:mm:ss` in UTC; a string is sent untouched. */
  createdAt?: Date | Schemas["AppEventDto"]["createdAt"] | undefined;
};
/** What {@link Enable3Client.sendEvent} resolves to. */
export interface SendEventResult {
  /** The id the event was sent with (the caller's, or the generated one): log it, retry with it. */
  id: Schemas["AppEventDto"]["id"];
}

/** Revenue in USDT for Hold to Earn. `requestId` defaults to a random UUID, `date` to now. */
export type RevenueInput = Omit<Schemas["RevenueDto"], "requestId" | "date"> & {
  /** The idempotency key: reuse it when you resend the report. Default: a random UUID. */
  requestId?: Schemas["RevenueDto"]["requestId"] | undefined;
  /** A Date is sent as `yyyy-MM-dd HH:mm:ss` in UTC; a string is sent untouched. Default: now. */
  date?: Date | Schemas["RevenueDto"]["date"] | undefined;
};
/** What {@link Enable3Client.sendRevenue} resolves to. */
export interface SendRevenueResult {
  /** The request id the report was sent with (the caller's, or the generated one). */
  requestId: Schemas["RevenueDto"]["requestId"];
}

/** The query of the widget-URL operation, as the spec defines it. */
export type WidgetUrlQuery = NonNullable<operations["getWidgetUrl"]["parameters"]["query"]>;
/** The widget-URL answer, as the spec defines it. */
export type WidgetUrlResponse = Schemas["WidgetUrlResponse"];
/** The SDK-token answer, as the spec defines it. */
export type UserTokenResponse = Schemas["UserTokenResponse"];
/** A user's balance: `balance` is a decimal string, `userExists` false for a user not created yet. */
export type UserBalance = Schemas["UserBalanceIntegrationDto"];
/** One user and the segments to add it to (or remove it from). */
export type SegmentAssignment = Schemas["SegmentUserDto"];
/** The body of assignSegments and removeSegments. */
export type SegmentAssignments = Schemas["SegmentUsersRequest"];
/** Website URLs, as addWebsites takes them. */
export type Websites = Schemas["OperatorWebsitesDto"]["websites"];
/** What {@link Enable3Client.addWebsites} resolves to. */
export interface AddWebsitesResult {
  /** The websites sent. */
  websites: Websites;
  /** True when a retry was answered 409 because the earlier attempt, whose answer was lost, registered them. */
  registeredByEarlierAttempt: boolean;
}
/** The body of a withdrawal callback, as the spec defines it. */
export type WithdrawalCallback = Schemas["WithdrawalCallbackDto"];

/** The operationIds of the spec; the client has one method for each. */
export type OperationId = keyof operations;

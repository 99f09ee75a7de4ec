// Public input and output types, all derived from the generated spec types: nothing is copied by hand.
import type { components, operations } from "../generated/enable3.js";

type Schemas = components["schemas"];

/** An event for event-based missions. `id` defaults to a random UUID, `createdAt` to now. */
export type EventInput = Omit<Schemas["AppEventDto"], "id" | "createdAt"> & {
  id?: Schemas["AppEventDto"]["id"];
  /** A Date is sent as `yyyy-MM-dd HH:mm:ss` in UTC; a string is sent untouched. */
  createdAt?: Date | Schemas["AppEventDto"]["createdAt"];
};
export interface SendEventResult {
  /** The id the event was sent with (the caller's, or the generated one): log it, retry with it. */
  id: Schemas["AppEventDto"]["id"];
}

/** Revenue in USDT for Hold to Earn. `requestId` defaults to a random UUID, `date` to now. */
export type RevenueInput = Omit<Schemas["RevenueDto"], "requestId" | "date"> & {
  requestId?: Schemas["RevenueDto"]["requestId"];
  date?: Date | Schemas["RevenueDto"]["date"];
};
export interface SendRevenueResult {
  requestId: Schemas["RevenueDto"]["requestId"];
}

export type WidgetUrlQuery = NonNullable<operations["getWidgetUrl"]["parameters"]["query"]>;
export type WidgetUrlResponse = Schemas["WidgetUrlResponse"];
export type UserTokenResponse = Schemas["UserTokenResponse"];
export type UserBalance = Schemas["UserBalanceIntegrationDto"];
export type SegmentAssignment = Schemas["SegmentUserDto"];
export type SegmentAssignments = Schemas["SegmentUsersRequest"];
export type Websites = Schemas["OperatorWebsitesDto"]["websites"];
export interface AddWebsitesResult {
  /** The websites sent. */
  websites: Websites;
  /** True when a retry was answered 409 because the earlier attempt, whose answer was lost, registered them. */
  registeredByEarlierAttempt: boolean;
}
export type WithdrawalCallback = Schemas["WithdrawalCallbackDto"];

/** The operationIds of the spec; the client has one method for each. */
export type OperationId = keyof operations;

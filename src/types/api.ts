// Public input and output types. Each is spelled out field by field (so the API reference lists its
// fields), and held to the generated spec type it stands for by a compile-time check at the end of this
// file: the spec stays the source of truth, and a change to it fails to compile here, in this one file.
import type { components, operations } from "../generated/enable3.js";

type Schemas = components["schemas"];

/** An event for event-based missions. `id` defaults to a random UUID, `createdAt` to now. */
export interface EventInput {
  /** The operator's user id. */
  userId: string;
  /** The custom event configured in the Enable3 admin panel, e.g. `"deposit"`. */
  eventId: string;
  /** The amount: missions count events or sum this value. */
  value: number;
  /** Tags a mission may filter on. */
  eventTags?: string[] | undefined;
  /** The idempotency key: reuse it when you resend the event. Default: a random UUID. */
  id?: string | undefined;
  /** When it happened. A Date is sent as `yyyy-MM-dd HH:mm:ss` in UTC; a string is sent untouched. Default: now. */
  createdAt?: Date | string | undefined;
}

/** What {@link Enable3Client.sendEvent} resolves to. */
export interface SendEventResult {
  /** The id the event was sent with (the caller's, or the generated one): log it, retry with it. */
  id: string;
}

/** Revenue in USDT for Hold to Earn. `requestId` defaults to a random UUID, `date` to now. */
export interface RevenueInput {
  /** Revenue the operator earned, in USDT (negative allowed). */
  revenue: number;
  /** The idempotency key: reuse it when you resend the report. Default: a random UUID. */
  requestId?: string | undefined;
  /** The day it was earned. A Date is sent as `yyyy-MM-dd HH:mm:ss` in UTC; a string is sent untouched. Default: now. */
  date?: Date | string | undefined;
}

/** What {@link Enable3Client.sendRevenue} resolves to. */
export interface SendRevenueResult {
  /** The request id the report was sent with (the caller's, or the generated one). */
  requestId: string;
}

/** The query of the widget-URL operation, as the spec defines it. */
export interface WidgetUrlQuery {
  /** Applied as if the user typed it. */
  referralCode?: string;
}

/** The widget-URL answer, as the spec defines it. */
export interface WidgetUrlResponse {
  /** The widget's URL, with the user's authentication token in it (valid for one day). */
  url: string;
}

/** The SDK-token answer, as the spec defines it. */
export interface UserTokenResponse {
  /** A JWT for the mobile SDK; its payload carries `exp` in seconds. */
  token: string;
}

/** A user's balance. */
export interface UserBalance {
  /** A decimal string such as `"125.50"`: never turned into a float, which would lose cents. */
  balance: string;
  /** False for a user Enable3 has not created yet (no event and no widget opened). */
  userExists: boolean;
}

/** One user and the segments to add it to (or remove it from). The shape is inferred: the API does not publish it. */
export interface SegmentAssignment {
  /** The operator's user id. */
  userId: string;
  /** The segments, at least one. */
  segmentIds: string[];
}

/** The body of assignSegments and removeSegments: one entry per user. */
export type SegmentAssignments = SegmentAssignment[];

/** Website URLs, as addWebsites takes them. */
export type Websites = string[];

/** What {@link Enable3Client.addWebsites} resolves to. */
export interface AddWebsitesResult {
  /** The websites sent. */
  websites: Websites;
  /** True when a retry was answered 409 because the earlier attempt, whose answer was lost, registered them. */
  registeredByEarlierAttempt: boolean;
}

/** The body of a withdrawal callback: what Enable3 POSTs to your endpoint when a user withdraws. */
export interface WithdrawalCallback {
  /** The operator's user id. */
  userId: string;
  /** The withdrawal option; absent for a custom-amount withdrawal. */
  optionId?: string;
  /** An operator-defined product id from the admin panel. */
  purchaseProductId?: string;
  /** The stablecoin amount to pay out. */
  amount: number;
  /** The tokens withdrawn. */
  tokenAmount: number;
  /** Tokens to stablecoin at the time of the withdrawal. */
  tokenRate: number;
  /** Unique on the Enable3 side: de-duplicate on it (the signature does not stop a replay). */
  transactionId: string;
  /** `yyyy-MM-dd'T'HH:mm:ss.SSSSSS` without zone (read as UTC); an older version sent `yyyy-MM-dd HH:mm:ss`. */
  createdAt: string;
}

/** The operationIds of the spec; the client has one method for each. */
export type OperationId = keyof operations;

// The compile-time check: each type above is exactly the spec's (inputs: once their defaulted fields
// are filled in). A field added, removed, renamed or retyped in the spec fails to compile here.
type Flat<T> = T extends readonly unknown[] ? T : { [K in keyof T]: T[K] };
/** Identical types (the strict form: optional and required, readonly and not, all tell apart). */
type Same<A, B> = (<T>() => T extends Flat<A> ? 1 : 2) extends <T>() => T extends Flat<B> ? 1 : 2 ? true : false;
type Holds<T extends true> = T;
type Sent<T, Defaulted extends keyof T> = Omit<T, Defaulted> & { [K in Defaulted]-?: Exclude<T[K], Date | undefined> };
export type SpecCheck = [
  Holds<Same<Sent<EventInput, "id" | "createdAt">, Omit<Schemas["AppEventDto"], "eventTags"> & { eventTags?: string[] | undefined }>>,
  Holds<Same<Sent<RevenueInput, "requestId" | "date">, Schemas["RevenueDto"]>>,
  Holds<Same<SendEventResult["id"], Schemas["AppEventDto"]["id"]>>,
  Holds<Same<SendRevenueResult["requestId"], Schemas["RevenueDto"]["requestId"]>>,
  Holds<Same<WidgetUrlQuery, NonNullable<operations["getWidgetUrl"]["parameters"]["query"]>>>,
  Holds<Same<WidgetUrlResponse, Schemas["WidgetUrlResponse"]>>,
  Holds<Same<UserTokenResponse, Schemas["UserTokenResponse"]>>,
  Holds<Same<UserBalance, Schemas["UserBalanceIntegrationDto"]>>,
  Holds<Same<SegmentAssignment, Schemas["SegmentUserDto"]>>,
  Holds<Same<SegmentAssignments, Schemas["SegmentUsersRequest"]>>,
  Holds<Same<Websites, Schemas["OperatorWebsitesDto"]["websites"]>>,
  Holds<Same<WithdrawalCallback, Schemas["WithdrawalCallbackDto"]>>,
];

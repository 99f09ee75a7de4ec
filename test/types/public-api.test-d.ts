// Type tests of the public API, checked by `npm run typecheck` (tsc over test/): inputs and results
// follow the generated spec types, and what the spec forbids does not compile.
import { expectTypeOf } from "vitest";
import { type ParsedWithdrawalCallback, parseWithdrawalCallback, type WithdrawalCallback } from "../../src/callback.js";
import type {
  AddWebsitesResult,
  BulkReport,
  components,
  createEnable3Client,
  Enable3Client,
  Enable3Error,
  EventInput,
  OperationId,
  ResponseInfo,
  RevenueInput,
  SendEventResult,
  UserBalance,
  UserToken,
  WidgetUrl,
} from "../../src/index.js";
import { createWidgetCache, type WidgetCache } from "../../src/widget.js";

type Schemas = components["schemas"];
declare const enable3: Enable3Client;

// every operation of the spec is a method
expectTypeOf<OperationId>().toEqualTypeOf<
  "sendEvent" | "getWidgetUrl" | "getUserToken" | "sendRevenue" | "assignSegments" | "removeSegments" | "getUserBalance" | "addWebsites"
>();
expectTypeOf<Pick<Enable3Client, OperationId>>().toBeObject();

// inputs: the generated DTOs, with id/createdAt and requestId/date optional
expectTypeOf<EventInput["userId"]>().toEqualTypeOf<Schemas["AppEventDto"]["userId"]>();
expectTypeOf<EventInput["value"]>().toEqualTypeOf<Schemas["AppEventDto"]["value"]>();
expectTypeOf<EventInput["createdAt"]>().toEqualTypeOf<Date | string | undefined>();
expectTypeOf<RevenueInput["date"]>().toEqualTypeOf<Date | string | undefined>();
expectTypeOf(enable3.sendEvent).parameter(0).toEqualTypeOf<EventInput>();
// @ts-expect-error value must be a number
void enable3.sendEvent({ userId: "u", eventId: "e", value: "1" });
// @ts-expect-error userId is required
void enable3.sendEvent({ eventId: "e", value: 1 });

// results
expectTypeOf(enable3.sendEvent).returns.resolves.toEqualTypeOf<SendEventResult>();
expectTypeOf<SendEventResult["id"]>().toEqualTypeOf<Schemas["AppEventDto"]["id"]>();
expectTypeOf(enable3.getUserBalance).returns.resolves.toEqualTypeOf<UserBalance>();
expectTypeOf<UserBalance>().toEqualTypeOf<Schemas["UserBalanceIntegrationDto"]>();
expectTypeOf<UserBalance["balance"]>().toEqualTypeOf<string>();
expectTypeOf(enable3.getWidgetUrl).returns.resolves.toEqualTypeOf<WidgetUrl>();
expectTypeOf<WidgetUrl["expiresAt"]>().toEqualTypeOf<Date>();
expectTypeOf(enable3.getUserToken).returns.resolves.toEqualTypeOf<UserToken>();
expectTypeOf<UserToken["expiresAt"]>().toEqualTypeOf<Date | undefined>();
expectTypeOf(enable3.addWebsites).returns.resolves.toEqualTypeOf<AddWebsitesResult>();
expectTypeOf(enable3.assignSegments).returns.resolves.toEqualTypeOf<void>();
expectTypeOf(enable3.sendEvents).returns.resolves.toEqualTypeOf<BulkReport>();
// every single-call method's promise also tells what the response said
expectTypeOf(enable3.getUserBalance("u1").withResponse()).resolves.toEqualTypeOf<{ data: UserBalance; response: ResponseInfo }>();
expectTypeOf<ResponseInfo>().toEqualTypeOf<{ status: number; headers: Headers; serverRequestId: string | undefined; attempts: number }>();
// an error names the idempotency key it went with
expectTypeOf<Enable3Error["id"]>().toEqualTypeOf<string | undefined>();
expectTypeOf<Enable3Error["requestId"]>().toEqualTypeOf<string | undefined>();

// raw calls are typed by the generated paths
void enable3.raw.GET("/api/v1/integration/user/{operatorUserId}/balance", { params: { path: { operatorUserId: "u1" } } });
// @ts-expect-error not a path of the spec
void enable3.raw.GET("/api/v1/nope");

// callbacks and the widget cache
expectTypeOf(parseWithdrawalCallback).returns.toEqualTypeOf<ParsedWithdrawalCallback>();
expectTypeOf<ParsedWithdrawalCallback>().toMatchTypeOf<Omit<WithdrawalCallback, "amount" | "tokenAmount" | "tokenRate">>();
// the money as the exact text of the signed body, a double beside it
expectTypeOf<ParsedWithdrawalCallback["amount"]>().toEqualTypeOf<string>();
expectTypeOf<ParsedWithdrawalCallback["tokenAmountNumber"]>().toEqualTypeOf<number>();
expectTypeOf<ParsedWithdrawalCallback["createdAtDate"]>().toEqualTypeOf<Date>();
expectTypeOf(createWidgetCache).returns.toEqualTypeOf<WidgetCache>();
expectTypeOf<Parameters<typeof createEnable3Client>[0]>().toEqualTypeOf<import("../../src/index.js").ClientOptions | undefined>();

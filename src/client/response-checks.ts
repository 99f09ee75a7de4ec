// What a 2xx body must look like for the operations that return one. The spec is the contract;
// a body that breaks it is reported, never passed on half-formed.

import { isRecord } from "../internal/validate.js";
import type { UserBalance, UserTokenResponse, WidgetUrlResponse } from "../types/api.js";

export interface ResponseCheck<T> {
  describe: string;
  matches(body: unknown): body is T;
}

/** The URL goes into an iframe's src: only an absolute http(s) URL may pass (never `javascript:`). */
export const widgetUrlResponseCheck: ResponseCheck<WidgetUrlResponse> = {
  describe: "an object with an absolute http(s) `url`",
  matches: (b): b is WidgetUrlResponse => isRecord(b) && typeof b.url === "string" && ABSOLUTE_HTTP_URL.test(b.url),
};

export const userTokenResponseCheck: ResponseCheck<UserTokenResponse> = {
  describe: "an object with a non-blank string `token`",
  matches: (b): b is UserTokenResponse => isRecord(b) && typeof b.token === "string" && b.token.trim() !== "",
};

/** http(s)://host… with no space anywhere: what a browser loads as the same absolute URL. */
const ABSOLUTE_HTTP_URL = /^https?:\/\/[^\s/?#]+[^\s]*$/i;

/** Digits, an optional sign and fraction: what a decimal string may hold (no exponent, no "NaN"). */
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** `balance` is a decimal string: a JSON number would already have lost precision, so it is refused. */
export const userBalanceResponseCheck: ResponseCheck<UserBalance> = {
  describe: "an object with a decimal string `balance` and a boolean `userExists`",
  matches: (b): b is UserBalance =>
    isRecord(b) && typeof b.balance === "string" && DECIMAL.test(b.balance) && typeof b.userExists === "boolean",
};

// What the SDK adds to the widget URL and SDK token answers: the embedded token and when it expires.

import { WIDGET_URL_LIFETIME_MS } from "../internal/defaults.js";
import { jwtExpiry } from "../internal/jwt.js";
import type { UserTokenResponse, WidgetUrlResponse } from "../types/api.js";

/** A widget URL with the expiry of the token in it. */
export interface WidgetUrl extends WidgetUrlResponse {
  /** From the embedded JWT's `exp` when there is one, else one day after the response. */
  expiresAt: Date;
  /** The JWT embedded in the URL, when one is found (its query parameter name is not published). */
  token?: string;
}

/** An SDK token with its expiry. */
export interface UserToken extends UserTokenResponse {
  /** From the JWT's `exp`, decoded without verification; undefined when the token carries none. */
  expiresAt?: Date;
}

export function toWidgetUrl(response: WidgetUrlResponse, receivedAt: number): WidgetUrl {
  const token = embeddedJwt(response.url);
  const fromToken = token === undefined ? undefined : jwtExpiry(token);
  const result: WidgetUrl = { ...response, expiresAt: fromToken ?? new Date(receivedAt + WIDGET_URL_LIFETIME_MS) };
  if (token !== undefined) result.token = token;
  return result;
}

export function toUserToken(response: UserTokenResponse): UserToken {
  const expiresAt = jwtExpiry(response.token);
  return expiresAt === undefined ? { ...response } : { ...response, expiresAt };
}

/** The first query or fragment parameter whose value is a JWT with an expiry. */
function embeddedJwt(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const candidates = [...parsed.searchParams.values(), ...new URLSearchParams(parsed.hash.slice(1)).values()];
  return candidates.find((value) => jwtExpiry(value) !== undefined);
}

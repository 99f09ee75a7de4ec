// Reads a JWT's payload without verifying it: the signing key is Enable3's, so the SDK can only
// learn the expiry from it, never vouch for it.

import { isRecord } from "./validate.js";

const SEGMENT = /^[A-Za-z0-9_-]+$/;

/** The decoded payload, or undefined when `token` is not a decodable JWT. */
export function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts.every((p, i) => SEGMENT.test(p) || (i === 2 && p === ""))) return undefined;
  try {
    const header = JSON.parse(base64UrlDecode(parts[0]!));
    const payload = JSON.parse(base64UrlDecode(parts[1]!));
    if (!isRecord(header) || typeof header.alg !== "string" || !isRecord(payload)) return undefined;
    return payload as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** When the token expires, from its `exp` claim (seconds), or undefined when absent or not a real date. */
export function jwtExpiry(token: string): Date | undefined {
  const exp = decodeJwtPayload(token)?.exp;
  if (typeof exp !== "number") return undefined;
  const date = new Date(exp * 1000);
  // a Date holds ±8.64e15 ms: an `exp` of 1e15 seconds is past that and would be an Invalid Date
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function base64UrlDecode(segment: string): string {
  const base64 = segment
    .replace(/-/g, "+")
    .replace(/_/g, "/")
    .padEnd(Math.ceil(segment.length / 4) * 4, "=");
  const binary = atob(base64);
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

// The operations page's writes are guarded twice: the request must come from the page's own origin
// (Sec-Fetch-Site, else Origin), and carry the token the page was served with, an HMAC under a random
// secret made per handler (never shown, never stored: a restart makes every old page's token stale).
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, randomBytes, utf8ToBytes } from "@noble/hashes/utils.js";

/** How long a page's token stays good: a page left open for a day must be reloaded to write. */
const TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** Makes and checks this handler's tokens: `${issued}.${hex(HMAC-SHA256(secret, issued))}`. */
export function createCsrf(now: () => number = Date.now) {
  const secret = randomBytes(32);
  const macOf = (issued: string) => bytesToHex(hmac(sha256, secret, utf8ToBytes(`enable3-ops-csrf:${issued}`)));
  return {
    token(): string {
      const issued = String(now());
      return `${issued}.${macOf(issued)}`;
    },
    valid(token: string | undefined): boolean {
      if (typeof token !== "string" || token.length > 200) return false;
      const [issued, mac] = token.split(".");
      if (!issued || !mac || !/^\d{1,16}$/.test(issued)) return false;
      const age = now() - Number(issued);
      return age >= -60_000 && age <= TOKEN_LIFETIME_MS && constantTimeEqual(mac, macOf(issued));
    },
  };
}

/**
 * Whether a request comes from the page's own origin. A browser sends `Sec-Fetch-Site` (then it must
 * say `same-origin`) or at least `Origin` on a POST (then its host must be the request's); a request
 * with neither is refused, so a script posting by hand must set `Origin`.
 */
export function sameOrigin(headers: { get(name: string): string | null }, host: string): boolean {
  const site = headers.get("sec-fetch-site");
  if (site !== null) return site === "same-origin";
  const origin = headers.get("origin");
  if (origin === null || origin === "null") return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

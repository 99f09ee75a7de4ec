// Withdrawal callbacks, their payload: verified first, then parsed and checked field by field.
import { isRecord } from "../internal/validate.js";
import type { WithdrawalCallback } from "../types/api.js";
import { checkSignature, Enable3CallbackError, type ParsedWithdrawalCallback, type RawBody, type SignatureHeader } from "./signature.js";

/**
 * Verifies the signature, then parses and checks the payload. Throws Enable3CallbackError otherwise.
 * De-duplicate on `transactionId`: the signature has no timestamp, so it does not stop a replay.
 * @example
 * const callback = parseWithdrawalCallback(rawBody, req.headers["x-request-signature"], secret);
 * await payOut(callback.userId, callback.amount, callback.transactionId);
 */
export function parseWithdrawalCallback(rawBody: RawBody, signature: SignatureHeader, secret: string): ParsedWithdrawalCallback {
  const verdict = checkSignature(rawBody, signature, secret);
  if (verdict === "malformed-signature") {
    throw new Enable3CallbackError(verdict, "the signature is not 88 characters of Base64");
  }
  if (verdict === "signature-mismatch") {
    throw new Enable3CallbackError(verdict, "the signature does not match the body: tampered, or signed with another secret");
  }
  let payload: unknown;
  try {
    // a leading BOM is dropped whether the body came as text or bytes, so both read the same
    const text = typeof rawBody === "string" ? rawBody : new TextDecoder().decode(rawBody);
    payload = JSON.parse(text.startsWith("\uFEFF") ? text.slice(1) : text);
  } catch {
    throw new Enable3CallbackError("invalid-json", "the body is not JSON");
  }
  return checkPayload(payload);
}

/** The payload's fields, tied to the generated type so a renamed field fails to compile. */
const REQUIRED_STRINGS = ["userId", "transactionId", "createdAt"] as const satisfies readonly (keyof WithdrawalCallback)[];
const OPTIONAL_STRINGS = ["optionId", "purchaseProductId"] as const satisfies readonly (keyof WithdrawalCallback)[];
const REQUIRED_NUMBERS = ["amount", "tokenAmount", "tokenRate"] as const satisfies readonly (keyof WithdrawalCallback)[];

function checkPayload(payload: unknown): ParsedWithdrawalCallback {
  if (!isRecord(payload)) {
    throw new Enable3CallbackError("invalid-payload", "the body is not a JSON object");
  }
  const p = { ...payload };
  const bad = (field: string, problem: string) => new Enable3CallbackError("invalid-payload", `${field} ${problem}`);
  for (const f of REQUIRED_STRINGS) if (typeof p[f] !== "string" || p[f] === "") throw bad(f, "must be a non-empty string");
  for (const f of REQUIRED_NUMBERS) if (typeof p[f] !== "number" || !Number.isFinite(p[f])) throw bad(f, "must be a finite number");
  for (const f of OPTIONAL_STRINGS) {
    if (p[f] === null) delete p[f];
    else if (p[f] !== undefined && typeof p[f] !== "string") throw bad(f, "must be a string when present");
  }
  const createdAtDate = parseCallbackDate(p.createdAt as string);
  if (!createdAtDate) throw bad("createdAt", "is not yyyy-MM-dd'T'HH:mm:ss.SSSSSS or yyyy-MM-dd HH:mm:ss");
  return { ...(p as unknown as WithdrawalCallback), createdAtDate };
}

/**
 * Both documented formats, no zone (read as UTC): `2024-02-22T10:00:00.123456` and `2024-02-22 10:00:00`.
 * Undefined for anything else, including dates that do not exist (2024-02-31, 10:00:60).
 * @example parseCallbackDate("2024-02-22 10:00:00")?.toISOString(); // "2024-02-22T10:00:00.000Z"
 */
export function parseCallbackDate(text: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, reads year 0024 as 24, not 1924
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, Math.floor(Number(`0.${m[7] ?? "0"}`) * 1000));
  // a field out of range rolls over into the next one: refuse it instead
  const same =
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === mo - 1 &&
    date.getUTCDate() === d &&
    date.getUTCHours() === h &&
    date.getUTCMinutes() === mi &&
    date.getUTCSeconds() === s;
  return same ? date : undefined;
}

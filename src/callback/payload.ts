// Withdrawal callbacks, their payload: verified first, then parsed and checked field by field.
import { isRecord, LONE_SURROGATE } from "../internal/validate.js";
import type { WithdrawalCallback } from "../types/api.js";
import { parseCallbackDate } from "./dates.js";
import { type CallbackMoney, MONEY_FIELDS, parseExactJson, readMoney, withDoubles } from "./money.js";
import { checkSignature, Enable3CallbackError, type ParsedWithdrawalCallback, type RawBody, type SignatureHeader } from "./signature.js";

/**
 * Verifies the signature, then parses and checks the payload. Throws Enable3CallbackError otherwise.
 * De-duplicate on `transactionId`: the signature has no timestamp, so it does not stop a replay
 * (createWithdrawalReceiver does both, and the de-duplication, for you).
 * @example
 * const callback = parseWithdrawalCallback(rawBody, req.headers["x-request-signature"], secret);
 * await payOut(callback.userId, callback.amount, callback.transactionId); // amount: the exact text, "1234567.123456789123"
 */
export function parseWithdrawalCallback(rawBody: RawBody, signature: SignatureHeader, secret: string): ParsedWithdrawalCallback {
  verifyOrThrow(rawBody, signature, [secret]);
  return parseVerifiedBody(rawBody);
}

/** Throws the Enable3CallbackError for a body whose signature none of `secrets` made. */
export function verifyOrThrow(rawBody: RawBody, signature: SignatureHeader, secrets: readonly string[]): void {
  const verdict = checkSignature(rawBody, signature, secrets);
  if (verdict === "malformed-signature") {
    throw new Enable3CallbackError(verdict, "the signature is not 88 characters of Base64");
  }
  if (verdict === "signature-mismatch") {
    throw new Enable3CallbackError(verdict, "the signature does not match the body: tampered, or signed with another secret");
  }
}

/** Parses and checks a body whose signature has been verified. */
export function parseVerifiedBody(rawBody: RawBody): ParsedWithdrawalCallback {
  let payload: unknown;
  try {
    // a leading BOM is dropped whether the body came as text or bytes, so both read the same
    const text = typeof rawBody === "string" ? rawBody : new TextDecoder().decode(rawBody);
    payload = parseExactJson(text.startsWith("\uFEFF") ? text.slice(1) : text);
  } catch {
    throw new Enable3CallbackError("invalid-json", "the body is not JSON");
  }
  return checkPayload(payload);
}

/** The payload's fields, tied to the generated type so a renamed field fails to compile. */
const REQUIRED_STRINGS = ["userId", "transactionId", "createdAt"] as const satisfies readonly (keyof WithdrawalCallback)[];
const OPTIONAL_STRINGS = ["optionId", "purchaseProductId"] as const satisfies readonly (keyof WithdrawalCallback)[];

/** What a store can keep as a key: no NUL (PostgreSQL text refuses it) and no lone surrogate (not UTF-8). */
const storable = (key: string) => !key.includes("\u0000") && !LONE_SURROGATE.test(key);

function checkPayload(payload: unknown): ParsedWithdrawalCallback {
  if (!isRecord(payload)) {
    throw new Enable3CallbackError("invalid-payload", "the body is not a JSON object");
  }
  // every number but the money's as JSON.parse reads it (a double); the money is read below, exactly
  const p: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload)) {
    Object.defineProperty(p, key, {
      value: (MONEY_FIELDS as readonly string[]).includes(key) ? value : withDoubles(value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  const bad = (field: string, problem: string) => new Enable3CallbackError("invalid-payload", `${field} ${problem}`);
  for (const f of REQUIRED_STRINGS) {
    const value = p[f];
    if (typeof value !== "string" || value.trim() === "") throw bad(f, "must be a non-blank string");
  }
  if (!storable(p.transactionId as string)) throw bad("transactionId", "must be text without NUL or lone surrogates");
  const money: Record<string, string | number> = {};
  for (const f of MONEY_FIELDS) {
    const read = readMoney(p[f]);
    if ("problem" in read) throw bad(f, read.problem);
    money[f] = read.text;
    money[`${f}Number`] = read.number;
  }
  for (const f of OPTIONAL_STRINGS) {
    if (p[f] === null) delete p[f];
    else if (p[f] !== undefined && typeof p[f] !== "string") throw bad(f, "must be a string when present");
  }
  const createdAtDate = parseCallbackDate(p.createdAt as string);
  if (!createdAtDate) throw bad("createdAt", "is not yyyy-MM-dd'T'HH:mm:ss.SSSSSS or yyyy-MM-dd HH:mm:ss");
  return { ...(p as unknown as WithdrawalCallback), ...(money as CallbackMoney), createdAtDate };
}

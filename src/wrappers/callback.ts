// Withdrawal callbacks (Enable3 -> operator): the signature is Base64(HMAC-SHA512(secret, hex(MD5(body)))).
// Pure JS hashes (@noble/hashes, audited) rather than node:crypto, so this runs in Node, Bun, Deno and
// edge workers alike; Web Crypto has no MD5.
import { hmac } from "@noble/hashes/hmac.js";
import { md5 } from "@noble/hashes/legacy.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { Enable3Error } from "./errors.js";
import type { WithdrawalCallback } from "./types.js";
import { isRecord } from "./validate.js";

/** The header Enable3 signs callbacks in. */
export const SIGNATURE_HEADER = "x-request-signature";

export type CallbackErrorReason =
  | "invalid-body" | "invalid-secret" | "missing-signature" | "malformed-signature"
  | "signature-mismatch" | "invalid-json" | "invalid-payload";

/** A callback that must not be trusted. `reason` says why; answer 401 for signature reasons, 400 otherwise. */
export class Enable3CallbackError extends Enable3Error {
  override name = "Enable3CallbackError";
  readonly reason: CallbackErrorReason;
  constructor(reason: CallbackErrorReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** The payload, checked, with `createdAt` also parsed (read as UTC: the API sends no zone). */
export type ParsedWithdrawalCallback = WithdrawalCallback & { createdAtDate: Date };

/** A raw body exactly as received: the signature covers these bytes. */
export type RawBody = string | Uint8Array;
/** A header value as Node's `req.headers` gives it. */
export type SignatureHeader = string | readonly string[] | null | undefined;

const SIGNATURE_SHAPE = /^[A-Za-z0-9+/]{86}==$/;

/**
 * Signs a body as Enable3 does, to test your own callback endpoint.
 * @example const signature = signCallback(JSON.stringify(payload), process.env.ENABLE3_CALLBACK_SECRET!);
 */
export function signCallback(rawBody: RawBody, secret: string): string {
  const mac = hmac(sha512, utf8ToBytes(secretOf(secret)), utf8ToBytes(bytesToHex(md5(bodyBytes(rawBody)))));
  return btoa(String.fromCharCode(...mac));
}

/**
 * Whether `signature` is the right one for this body and secret, compared in constant time.
 * Returns false for a wrong or malformed signature; throws Enable3CallbackError when the signature
 * is missing or the body or secret is unusable.
 * @example if (!verifyCallbackSignature(rawBody, req.headers["x-request-signature"], secret)) return res.writeHead(401).end();
 */
export function verifyCallbackSignature(rawBody: RawBody, signature: SignatureHeader, secret: string): boolean {
  const given = signatureOf(signature);
  const expected = signCallback(rawBody, secret);
  return SIGNATURE_SHAPE.test(given) && constantTimeEqual(given, expected);
}

/**
 * Verifies the signature, then parses and checks the payload. Throws Enable3CallbackError otherwise.
 * De-duplicate on `transactionId`: the signature has no timestamp, so it does not stop a replay.
 * @example
 * const callback = parseWithdrawalCallback(rawBody, req.headers["x-request-signature"], secret);
 * await payOut(callback.userId, callback.amount, callback.transactionId);
 */
export function parseWithdrawalCallback(rawBody: RawBody, signature: SignatureHeader, secret: string): ParsedWithdrawalCallback {
  const given = signatureOf(signature);
  if (!SIGNATURE_SHAPE.test(given)) {
    throw new Enable3CallbackError("malformed-signature", "the signature is not 88 characters of Base64");
  }
  if (!constantTimeEqual(given, signCallback(rawBody, secret))) {
    throw new Enable3CallbackError("signature-mismatch", "the signature does not match the body: tampered, or signed with another secret");
  }
  let payload: unknown;
  try {
    payload = JSON.parse(typeof rawBody === "string" ? rawBody : new TextDecoder().decode(rawBody));
  } catch {
    throw new Enable3CallbackError("invalid-json", "the body is not JSON");
  }
  return checkPayload(payload);
}

const REQUIRED_STRINGS = ["userId", "transactionId", "createdAt"] as const;
const OPTIONAL_STRINGS = ["optionId", "purchaseProductId"] as const;
const REQUIRED_NUMBERS = ["amount", "tokenAmount", "tokenRate"] as const;

function checkPayload(payload: unknown): ParsedWithdrawalCallback {
  if (!isRecord(payload)) {
    throw new Enable3CallbackError("invalid-payload", "the body is not a JSON object");
  }
  const p = { ...(payload as Record<string, unknown>) };
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

/** Both documented formats, no zone (read as UTC): `2024-02-22T10:00:00.123456` and `2024-02-22 10:00:00`. */
export function parseCallbackDate(text: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = "0"] = m;
  const date = new Date(Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!, Math.floor(Number(`0.${frac}`) * 1000)));
  // reject 2024-02-31 and friends, which Date.UTC would roll over
  return date.getUTCDate() === +d! && date.getUTCMonth() === +mo! - 1 && date.getUTCHours() === +h! ? date : undefined;
}

function signatureOf(signature: SignatureHeader): string {
  const value = Array.isArray(signature) ? (signature.length === 1 ? signature[0] : undefined) : signature;
  if (Array.isArray(signature) && signature.length > 1) {
    throw new Enable3CallbackError("malformed-signature", `the ${SIGNATURE_HEADER} header was sent more than once`);
  }
  if (typeof value !== "string" || value.trim() === "") {
    throw new Enable3CallbackError("missing-signature", `the ${SIGNATURE_HEADER} header is missing`);
  }
  return value.trim();
}

function secretOf(secret: unknown): string {
  if (typeof secret !== "string" || secret === "") {
    throw new Enable3CallbackError("invalid-secret", "the callback secret must be a non-empty string (value not shown)");
  }
  return secret;
}

function bodyBytes(rawBody: unknown): Uint8Array {
  if (typeof rawBody === "string") return utf8ToBytes(rawBody);
  if (rawBody instanceof Uint8Array) return rawBody;
  throw new Enable3CallbackError("invalid-body", "the raw body must be a string or bytes (a parsed object has lost the exact bytes the signature covers)");
}

/** Same time whatever the inputs' contents, for inputs of the same length. */
function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

// Withdrawal callbacks (Enable3 -> operator), their signature: Base64(HMAC-SHA512(secret, hex(MD5(body)))).
// Pure JS hashes (@noble/hashes, audited) rather than node:crypto, so this runs in Node, Bun, Deno and
// edge workers alike; Web Crypto has no MD5.
import { hmac } from "@noble/hashes/hmac.js";
import { md5 } from "@noble/hashes/legacy.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { type CallbackErrorReason, Enable3CallbackError } from "../errors/callback.js";
import type { WithdrawalCallback } from "../types/api.js";
import type { CallbackMoney, MoneyField } from "./money.js";

// the class lives with every other in errors/ (errors/callback.ts); re-exported so that imports of it stay as they were
export { type CallbackErrorReason, Enable3CallbackError };

/** The header Enable3 signs callbacks in. */
export const SIGNATURE_HEADER = "x-request-signature";

/**
 * The payload, checked: `amount`, `tokenAmount` and `tokenRate` as the exact decimal text of the signed
 * body (`"1234567.123456789123"`, `"100.00"`: write it to a `numeric` column or a decimal library as is),
 * each with its double beside it (`amountNumber`…, rounded past 15-17 digits), none of them negative;
 * `createdAt` also parsed (read as UTC: the API sends no zone).
 */
export type ParsedWithdrawalCallback = Omit<WithdrawalCallback, MoneyField> &
  CallbackMoney & {
    /** `createdAt` as a Date, read as UTC. */
    createdAtDate: Date;
  };

/** A raw body exactly as received (a Buffer, `await request.arrayBuffer()`, or text): the signature covers these bytes. */
export type RawBody = string | Uint8Array | ArrayBuffer;
/** A header value as Node's `req.headers` gives it. */
export type SignatureHeader = string | readonly string[] | null | undefined;

const SIGNATURE_SHAPE = /^[A-Za-z0-9+/]{86}==$/;

/**
 * Signs a body as Enable3 does, to test your own callback endpoint.
 * @example const signature = signCallback(JSON.stringify(payload), process.env.ENABLE3_CALLBACK_SECRET!);
 */
export function signCallback(rawBody: RawBody, secret: string): string {
  secretOf(secret);
  return macOf(utf8ToBytes(bytesToHex(md5(bodyBytes(rawBody)))), secret);
}

/** Base64(HMAC-SHA512(secret, digest)), where digest is the body's MD5 as hex text. */
function macOf(digest: Uint8Array, secret: string): string {
  return btoa(String.fromCharCode(...hmac(sha512, utf8ToBytes(secret), digest)));
}

/**
 * Whether `signature` is the right one for this body and secret, compared in constant time.
 * Returns false for a wrong or malformed signature; throws Enable3CallbackError when the signature
 * is missing or the body or secret is unusable.
 * @example if (!verifyCallbackSignature(rawBody, req.headers["x-request-signature"], secret)) return res.writeHead(401).end();
 */
export function verifyCallbackSignature(rawBody: RawBody, signature: SignatureHeader, secret: string): boolean {
  return checkSignature(rawBody, signature, [secret]) === "valid";
}

/**
 * The one signature check behind the public functions and the receiver, against each secret (several
 * during a rotation). The cheap checks come first: the inputs' types, then the signature's shape, so a
 * huge body with a malformed signature is refused without being hashed. Throws only for a missing
 * header or unusable inputs.
 */
export function checkSignature(
  rawBody: RawBody,
  signature: SignatureHeader,
  secrets: readonly string[],
): "valid" | "malformed-signature" | "signature-mismatch" {
  for (const secret of secrets) secretOf(secret);
  if (typeof rawBody !== "string" && !(rawBody instanceof Uint8Array) && !(rawBody instanceof ArrayBuffer)) throw invalidBody();
  const given = signatureOf(signature);
  if (!SIGNATURE_SHAPE.test(given)) return "malformed-signature";
  // MD5 once, then one HMAC per secret
  const digest = utf8ToBytes(bytesToHex(md5(bodyBytes(rawBody))));
  for (const secret of secrets) if (constantTimeEqual(given, macOf(digest, secret))) return "valid";
  return "signature-mismatch";
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
  if (rawBody instanceof ArrayBuffer) return new Uint8Array(rawBody);
  throw invalidBody();
}

function invalidBody(): Enable3CallbackError {
  return new Enable3CallbackError(
    "invalid-body",
    "the raw body must be a string, bytes or an ArrayBuffer (a parsed object has lost the exact bytes the signature covers)",
  );
}

/** Same time whatever the inputs' contents, for inputs of the same length. */
function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

// enable3-client/callback: verifying the withdrawal callbacks Enable3 sends. Kept out of the core
// entry so that operators who only call the API do not carry a hash library.

export { parseCallbackDate, parseWithdrawalCallback } from "./callback/payload.js";
export type { CallbackErrorReason, ParsedWithdrawalCallback, RawBody, SignatureHeader } from "./callback/signature.js";
export { Enable3CallbackError, SIGNATURE_HEADER, signCallback, verifyCallbackSignature } from "./callback/signature.js";
export type { WithdrawalCallback } from "./types/api.js";

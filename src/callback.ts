// enable3-client/callback: verifying the withdrawal callbacks Enable3 sends. Kept out of the core
// entry so that operators who only call the API do not carry a hash library.
export { signCallback, verifyCallbackSignature, Enable3CallbackError, SIGNATURE_HEADER } from "./wrappers/callback/signature.js";
export type { CallbackErrorReason, ParsedWithdrawalCallback, RawBody, SignatureHeader } from "./wrappers/callback/signature.js";
export { parseWithdrawalCallback, parseCallbackDate } from "./wrappers/callback/payload.js";
export type { WithdrawalCallback } from "./wrappers/types.js";

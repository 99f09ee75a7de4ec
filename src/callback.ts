// enable3-client/callback: verifying the withdrawal callbacks Enable3 sends. Kept out of the core
// entry so that operators who only call the API do not carry a hash library.
export {
  signCallback, verifyCallbackSignature, parseWithdrawalCallback, parseCallbackDate, Enable3CallbackError, SIGNATURE_HEADER,
} from "./wrappers/callback.js";
export type { CallbackErrorReason, ParsedWithdrawalCallback, RawBody, SignatureHeader } from "./wrappers/callback.js";
export type { WithdrawalCallback } from "./wrappers/types.js";

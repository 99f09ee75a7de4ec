// The withdrawal callback's one error class and its reasons (thrown by enable3-client/callback).
import { Enable3Error } from "./base.js";

/**
 * Why a callback was refused: answer 401 for the signature reasons, 400 for the others. The receiver
 * adds three of its own: `body-consumed` (a framework read the body first: the message names the setting
 * to change), `lease-lost` (another delivery took the transaction over) and `handler-timeout`
 * (onWithdrawal ran past handlerTimeoutMs).
 */
export type CallbackErrorReason =
  | "invalid-body"
  | "invalid-secret"
  | CallbackCheckReason
  | "body-consumed"
  | "lease-lost"
  | "handler-timeout";

/**
 * The reasons a callback's check gives (the signature's, answered 401; the payload's, 400): each is both
 * an Enable3CallbackError's `reason` and, in the withdrawal receiver, a refusal's (`RefusalReason`).
 */
export type CallbackCheckReason = (typeof CALLBACK_CHECK_REASONS)[number];

/** Every {@link CallbackCheckReason}, for telling one apart at run time. */
export const CALLBACK_CHECK_REASONS = [
  "missing-signature",
  "malformed-signature",
  "signature-mismatch",
  "invalid-json",
  "invalid-payload",
] as const;

/**
 * A callback that must not be trusted, or that the receiver could not take. `reason` says why; answer
 * 401 for signature reasons, 400 for the payload ones. Thrown by `verifyCallbackSignature` and
 * `parseWithdrawalCallback` (from `enable3-client/callback`) for a missing signature or an unusable body,
 * secret or payload; the withdrawal receiver answers them itself and hands `body-consumed`, `lease-lost`
 * and `handler-timeout` to `onFailed` and its logger.
 */
export class Enable3CallbackError extends Enable3Error {
  /** The class's name, `"Enable3CallbackError"`. */
  override name = "Enable3CallbackError";
  /** Why the callback was refused. */
  readonly reason: CallbackErrorReason;
  constructor(reason: CallbackErrorReason, message: string) {
    super(message, {}, "callback_refused");
    this.reason = reason;
  }
}

// enable3-client/callback: receiving the withdrawal callbacks Enable3 sends. Kept out of the core
// entry so that operators who only call the API do not carry a hash library.

export { formatCallbackDate, parseCallbackDate } from "./callback/dates.js";
export type {
  DuplicateEvent,
  FailedEvent,
  FailureReason,
  ProcessedEvent,
  ReceiverEvent,
  ReceiverHooks,
  ReceiverLogger,
  RefusalReason,
  RefusedEvent,
} from "./callback/events.js";
export type { ReceiverCounts, ReceiverMinute, ReceiverStats } from "./callback/history.js";
export type { CallbackMoney } from "./callback/money.js";
export { parseWithdrawalCallback } from "./callback/payload.js";
export type { PostgresStoreOptions, PostgresWithdrawalStore, WithdrawalPostgresStoreOptions } from "./callback/postgres-store.js";
export { postgresStore } from "./callback/postgres-store.js";
export type { NodeRequest } from "./callback/raw-body.js";
export type { NodeResponse, WithdrawalContext, WithdrawalReceiver, WithdrawalReceiverOptions } from "./callback/receiver.js";
export { createWithdrawalReceiver } from "./callback/receiver.js";
export type { CallbackErrorReason, ParsedWithdrawalCallback, RawBody, SignatureHeader } from "./callback/signature.js";
export { Enable3CallbackError, SIGNATURE_HEADER, signCallback, verifyCallbackSignature } from "./callback/signature.js";
export type { ClaimOptions, ClaimResult, WithdrawalClaim, WithdrawalStore } from "./callback/store.js";
export { memoryStore } from "./callback/store.js";
export type { WithdrawalCallback } from "./types/api.js";

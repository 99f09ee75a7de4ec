// The withdrawal receiver's settings, checked once when it is created: a missing secret (an unset
// environment variable), one with a trailing newline or of a few characters, fails at start-up, naming
// the field and never the value.
import { Enable3ValidationError } from "../errors/validation.js";
import { RECEIVER_DEFAULTS } from "../internal/defaults.js";
import { optionKeys } from "../internal/option-keys.js";
import { checkKnownKeys, hookOptions, MAX_TIMER_MS, numberIn, secretText, telemetryOption } from "../internal/validate.js";
import type { WithdrawalReceiverOptions } from "./receiver.js";

/** Shorter than this is a placeholder or a typo, never a secret from the Enable3 admin panel. */
const MIN_SECRET_LENGTH = 8;

/** Every option of {@link WithdrawalReceiverOptions}: createWithdrawalReceiver refuses any other. */
const RECEIVER_OPTION_KEYS = optionKeys<WithdrawalReceiverOptions<unknown>>()([
  "secrets",
  "store",
  "onWithdrawal",
  "maxBodyBytes",
  "bodyTimeoutMs",
  "inFlightWaitMs",
  "leaseMs",
  "handlerTimeoutMs",
  "retentionMs",
  "logger",
  "telemetry",
  "onProcessed",
  "onDuplicate",
  "onRefused",
  "onFailed",
]);

export function settingsOf<Tx>(options: WithdrawalReceiverOptions<Tx>) {
  if (typeof options !== "object" || options === null) throw new Enable3ValidationError("options", "must be an object");
  checkKnownKeys(options, RECEIVER_OPTION_KEYS, "options");
  const { secrets, store, onWithdrawal } = options;
  if (!Array.isArray(secrets) || secrets.length === 0) {
    throw new Enable3ValidationError("options.secrets", "must be a non-empty array of callback secrets (several during a rotation)");
  }
  secrets.forEach((secret: unknown, i) => {
    if (typeof secret !== "string" || secret === "") {
      throw new Enable3ValidationError(
        ["options", "secrets", i],
        "must be a non-empty string (value not shown): is ENABLE3_CALLBACK_SECRET set?",
      );
    }
    // the same rule as the client's key: a secret that kept its newline refuses every genuine callback
    secretText(secret, ["options", "secrets", i], "a secret", MIN_SECRET_LENGTH);
  });
  if (typeof store?.claim !== "function")
    throw new Enable3ValidationError("options.store", "must be a WithdrawalStore: memoryStore(), postgresStore(pool) or your own");
  if (typeof onWithdrawal !== "function") throw new Enable3ValidationError("options.onWithdrawal", "must be a function");
  hookOptions(options, ["onProcessed", "onDuplicate", "onRefused", "onFailed"], "options");
  telemetryOption(options.telemetry, "options.telemetry");
  const d = RECEIVER_DEFAULTS;
  return {
    secrets: [...secrets] as string[],
    store,
    onWithdrawal,
    maxBodyBytes: numberIn(options.maxBodyBytes ?? d.maxBodyBytes, "options.maxBodyBytes", 1, 2 ** 31, true),
    bodyTimeoutMs: numberIn(options.bodyTimeoutMs ?? d.bodyTimeoutMs, "options.bodyTimeoutMs", 1, MAX_TIMER_MS),
    inFlightWaitMs: numberIn(options.inFlightWaitMs ?? d.inFlightWaitMs, "options.inFlightWaitMs", 0, MAX_TIMER_MS),
    leaseMs: numberIn(options.leaseMs ?? d.leaseMs, "options.leaseMs", 100, MAX_TIMER_MS),
    handlerTimeoutMs: numberIn(options.handlerTimeoutMs ?? d.handlerTimeoutMs, "options.handlerTimeoutMs", 1, MAX_TIMER_MS),
    // at least an hour (Enable3's redeliveries must fit), at most ten years
    retentionMs: numberIn(options.retentionMs ?? d.retentionMs, "options.retentionMs", 60 * 60 * 1000, 3650 * 24 * 60 * 60 * 1000),
  };
}

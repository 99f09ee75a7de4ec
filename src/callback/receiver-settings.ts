// The withdrawal receiver's settings, checked once when it is created: a missing secret (an unset
// environment variable), one with a trailing newline or of a few characters, fails at start-up, naming
// the field and never the value.
import { Enable3ValidationError } from "../errors/classes.js";
import { RECEIVER_DEFAULTS } from "../internal/defaults.js";
import { optionKeys } from "../internal/option-keys.js";
import { checkKnownKeys, MAX_TIMER_MS, numberIn, secretText } from "../internal/validate.js";
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
    throw new Enable3ValidationError("secrets", "must be a non-empty array of callback secrets (several during a rotation)");
  }
  secrets.forEach((secret: unknown, i) => {
    if (typeof secret !== "string" || secret === "") {
      throw new Enable3ValidationError(["secrets", i], "must be a non-empty string (value not shown): is ENABLE3_CALLBACK_SECRET set?");
    }
    // the same rule as the client's key: a secret that kept its newline refuses every genuine callback
    secretText(secret, ["secrets", i], "a secret", MIN_SECRET_LENGTH);
  });
  if (typeof store?.claim !== "function")
    throw new Enable3ValidationError("store", "must be a WithdrawalStore: memoryStore(), postgresStore(pool) or your own");
  if (typeof onWithdrawal !== "function") throw new Enable3ValidationError("onWithdrawal", "must be a function");
  for (const hook of ["onProcessed", "onDuplicate", "onRefused", "onFailed"] as const) {
    if (options[hook] !== undefined && typeof options[hook] !== "function")
      throw new Enable3ValidationError(hook, "must be a function when given");
  }
  const { telemetry } = options;
  if (telemetry !== undefined && telemetry !== false && (typeof telemetry !== "object" || telemetry === null || !("signal" in telemetry))) {
    throw new Enable3ValidationError("telemetry", 'must be openTelemetry() from "enable3-client/opentelemetry", or false');
  }
  const d = RECEIVER_DEFAULTS;
  return {
    secrets: [...secrets] as string[],
    store,
    onWithdrawal,
    maxBodyBytes: numberIn(options.maxBodyBytes ?? d.maxBodyBytes, "maxBodyBytes", 1, 2 ** 31, true),
    bodyTimeoutMs: numberIn(options.bodyTimeoutMs ?? d.bodyTimeoutMs, "bodyTimeoutMs", 1, MAX_TIMER_MS),
    inFlightWaitMs: numberIn(options.inFlightWaitMs ?? d.inFlightWaitMs, "inFlightWaitMs", 0, MAX_TIMER_MS),
    leaseMs: numberIn(options.leaseMs ?? d.leaseMs, "leaseMs", 100, MAX_TIMER_MS),
    handlerTimeoutMs: numberIn(options.handlerTimeoutMs ?? d.handlerTimeoutMs, "handlerTimeoutMs", 1, MAX_TIMER_MS),
    // at least an hour (Enable3's redeliveries must fit), at most ten years
    retentionMs: numberIn(options.retentionMs ?? d.retentionMs, "retentionMs", 60 * 60 * 1000, 3650 * 24 * 60 * 60 * 1000),
  };
}

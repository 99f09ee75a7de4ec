// The body `enable3 callback send` sends when no --body-file is given: written as text, field by field,
// so numbers keep the form they were typed in (Enable3 writes 100.00, and an endpoint that verifies a
// re-serialised object instead of the raw bytes must fail here as it would on the real callbacks).
import { randomUUID } from "node:crypto";
import { formatCallbackDate, parseCallbackDate, type WithdrawalCallback } from "../callback.js";
import { apiDateFlag, UsageError } from "./args.js";

interface FieldSpec {
  /** The flag that sets the field. */
  flag: string;
  /** How it is written: a JSON string, or a JSON number exactly as typed. */
  kind: "string" | "number";
  /** The value when the flag is absent; none leaves an optional field out. */
  sample?: () => string;
}

/** Every field of the callback, in Enable3's order, tied to the generated type: a renamed field fails to compile. */
export const CALLBACK_FIELDS = {
  userId: { flag: "user-id", kind: "string", sample: () => "player-42" },
  optionId: { flag: "option-id", kind: "string" },
  purchaseProductId: { flag: "purchase-product-id", kind: "string" },
  amount: { flag: "amount", kind: "number", sample: () => "10.00" },
  tokenAmount: { flag: "token-amount", kind: "number", sample: () => "1000" },
  tokenRate: { flag: "token-rate", kind: "number", sample: () => "0.01" },
  transactionId: { flag: "transaction-id", kind: "string", sample: () => randomUUID() },
  createdAt: { flag: "created-at", kind: "string", sample: () => formatCallbackDate(new Date()) },
} as const satisfies { [K in keyof Required<WithdrawalCallback>]: FieldSpec };

/** The flags, for parseArgs. */
export const FIELD_OPTIONS = Object.fromEntries(Object.values(CALLBACK_FIELDS).map((f) => [f.flag, { type: "string" as const }]));

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** The body text from the flags given (`values`, by flag name) and the samples; and its transactionId. */
export function callbackBody(values: Record<string, unknown>): { text: string; transactionId: string } {
  const parts: string[] = [];
  let transactionId = "";
  for (const [field, spec] of Object.entries(CALLBACK_FIELDS) as [keyof WithdrawalCallback, FieldSpec][]) {
    const given = values[spec.flag];
    const value = typeof given === "string" ? fieldValue(field, spec, given) : spec.sample?.();
    if (value === undefined) continue;
    if (field === "transactionId") transactionId = value;
    parts.push(`${JSON.stringify(field)}:${spec.kind === "number" ? value : JSON.stringify(value)}`);
  }
  return { text: `{${parts.join(",")}}`, transactionId };
}

function fieldValue(field: keyof WithdrawalCallback, spec: FieldSpec, given: string): string {
  if (spec.kind === "number") {
    if (!JSON_NUMBER.test(given))
      throw new UsageError(`--${spec.flag} must be a JSON number such as 100.00 (sent as typed), got "${given}"`);
    return given;
  }
  if (field !== "createdAt") return given;
  // Enable3's own formats (no zone) go as typed
  if (!/(?:Z|[+-]\d{2}:?\d{2})$/i.test(given) && parseCallbackDate(given)) return given;
  // any other form the API's one rule takes (ISO 8601 with a zone), written as Enable3 writes callbacks
  return formatCallbackDate(parseCallbackDate(apiDateFlag(given, spec.flag)!)!);
}

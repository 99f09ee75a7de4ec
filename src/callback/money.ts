// Withdrawal callbacks, their money: the body is read with lossless-json, so amount, tokenAmount and
// tokenRate reach the handler as the exact decimal text of the signed bytes (JSON.parse would round
// 1234567.123456789123 to a double), with a double beside each. A well-kept parser rather than our
// own number scanning: JSON's grammar, escapes and duplicate keys are its solved problem, not ours.
import { isLosslessNumber, parse } from "lossless-json";
import type { WithdrawalCallback } from "../types/api.js";

/** The payload's money fields, tied to the generated type so a renamed field fails to compile. */
export const MONEY_FIELDS = ["amount", "tokenAmount", "tokenRate"] as const satisfies readonly (keyof WithdrawalCallback)[];
export type MoneyField = (typeof MONEY_FIELDS)[number];

/** Each money field as exact text (`"1234567.123456789123"`, `"100.00"`) and as a double (`amountNumber`…). */
export type CallbackMoney = { [F in MoneyField]: string } & { [F in MoneyField as `${F}Number`]: number };

/** A JSON number kept as its text until the payload is checked. */
interface ExactNumber {
  readonly value: string;
}

/**
 * The body as JSON with every number kept as its text; throws a SyntaxError for anything that is not
 * JSON, and for a key given twice with different values (which one would be paid?).
 */
export function parseExactJson(text: string): unknown {
  return parse(text);
}

/** A value parsed by parseExactJson with its numbers made doubles again, as JSON.parse reads them (extra fields). */
export function withDoubles(value: unknown): unknown {
  if (isLosslessNumber(value)) return Number((value as ExactNumber).value);
  if (Array.isArray(value)) return value.map(withDoubles);
  if (typeof value === "object" && value !== null) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value))
      Object.defineProperty(copy, key, { value: withDoubles(item), enumerable: true, writable: true, configurable: true });
    return copy;
  }
  return value;
}

/**
 * A money field's exact text and its double, or the problem with it: not a number, past a double's
 * range, or negative (a withdrawal never takes money back: refused before any handler runs; zero passes,
 * as a product redemption may carry no stablecoin).
 */
export function readMoney(value: unknown): { text: string; number: number } | { problem: string } {
  if (!isLosslessNumber(value)) return { problem: "must be a number" };
  const text = (value as ExactNumber).value;
  const number = Number(text);
  if (!Number.isFinite(number)) return { problem: "must be a finite number" };
  // "-0.00" is no withdrawal either way, but it is not negative: only a non-zero digit before any exponent counts
  if (text.startsWith("-") && /[1-9]/.test(text.split(/[eE]/)[0]!)) return { problem: `must not be negative, got ${text}` };
  return { text, number };
}

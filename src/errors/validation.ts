// Bad input, refused before anything is sent: the error and its field paths (`events[3].value`).
import { Enable3Error, type ErrorContext } from "./base.js";

/** One step of a field path: a property name, or an index into an array. */
export type FieldPathStep = string | number;

/**
 * Bad input, caught before any request is sent: a missing or blank field, a number out of range, an
 * unsafe base URL, a bad header. Fix the input named by `field`; retrying the same input fails the same way.
 */
export class Enable3ValidationError extends Enable3Error {
  /** The class's name (see {@link Enable3Error.name}). */
  override name = "Enable3ValidationError";
  /** The offending field as text, e.g. `"events[3].value"`. */
  readonly field: string;
  /** The same field as steps, e.g. `["events", 3, "value"]`: read it rather than parsing `field`. */
  readonly fieldPath: readonly FieldPathStep[];
  /** What is wrong with the field, e.g. `"must be a finite number, got string"`: the message after the field. */
  readonly problem: string;
  constructor(field: string | readonly FieldPathStep[], problem: string, context: ErrorContext = {}) {
    const steps = typeof field === "string" ? parseFieldPath(field) : field;
    const text = typeof field === "string" ? field : formatFieldPath(field);
    super(`${text} ${problem}`, context, "validation_failed");
    this.field = text;
    this.fieldPath = steps;
    this.problem = problem;
  }
}

/**
 * A field path as text, as the SDK writes `field`.
 * @example formatFieldPath(["events", 3, "value"]); // "events[3].value"
 */
export function formatFieldPath(steps: readonly FieldPathStep[]): string {
  return steps.map((step, i) => (typeof step === "number" ? `[${step}]` : i === 0 ? step : `.${step}`)).join("");
}

/** `events[3].value` as `["events", 3, "value"]` (the inverse of formatFieldPath for the SDK's own fields). */
export function parseFieldPath(field: string): FieldPathStep[] {
  const steps: FieldPathStep[] = [];
  for (const m of field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) steps.push(m[2] === undefined ? m[1]! : Number(m[2]));
  return steps;
}

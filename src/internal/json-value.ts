// A JSON value every store can keep (an outbox record's `context`): checked before it is stored, since a
// value the database refuses would fail every record inserted beside it.
import { Enable3ValidationError } from "../errors/validation.js";
import { isRecord, LONE_SURROGATE, numberIn, plainObject, typeName } from "./validate.js";

/** Deepest nesting a JSON value may have: deeper is almost surely a cycle-like mistake, and stacks are finite. */
const JSON_DEPTH = 64;

/**
 * A JSON value every store can keep (a record's `context`): strings, finite numbers, booleans, null,
 * arrays and plain objects, with no NUL and no lone surrogate in a string or key (PostgreSQL's jsonb
 * refuses both, and the refusal would fail the records inserted with it). Other control characters
 * (a line break in a note) are kept as they are.
 */
export function jsonValue(value: unknown, field: string, depth = 0): unknown {
  if (value === null || typeof value === "boolean") return value;
  if (typeof value === "number") return numberIn(value, field);
  if (typeof value === "string") return storableText(value, field);
  if (depth >= JSON_DEPTH) throw new Enable3ValidationError(field, `must not nest deeper than ${JSON_DEPTH} levels`);
  if (Array.isArray(value)) return value.map((item, i) => jsonValue(item, `${field}[${i}]`, depth + 1));
  if (!isRecord(value) || (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null))
    throw new Enable3ValidationError(
      field,
      `must be JSON (a string, number, boolean, null, array or plain object), got ${typeName(value)}`,
    );
  const copy = plainObject(value, field);
  for (const key of Object.keys(copy)) {
    storableText(key, `${field} (a key)`);
    copy[key] = jsonValue(copy[key], `${field}.${key}`, depth + 1);
  }
  return copy;
}

function storableText(text: string, field: string): string {
  if (text.includes("\u0000"))
    throw new Enable3ValidationError(field, "must not hold a NUL character (U+0000): no database keeps it in JSON");
  if (LONE_SURROGATE.test(text)) throw new Enable3ValidationError(field, "must be well-formed Unicode (it holds a lone surrogate)");
  return text;
}

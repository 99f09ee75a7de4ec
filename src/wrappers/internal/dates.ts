// The API's timestamps are `yyyy-MM-dd HH:mm:ss` with no zone (published example: 2024-02-22 10:00:00).
import { Enable3ValidationError } from "../errors.js";

/** Formats a Date as `yyyy-MM-dd HH:mm:ss` in UTC. */
export function formatApiDate(date: Date): string {
  return date.toISOString().slice(0, 19).replace("T", " ");
}

/** A Date is formatted in UTC; a string passes through untouched; absent means now. */
export function apiDate(value: unknown, field: string, now: () => Date = () => new Date()): string {
  if (value === undefined) return formatApiDate(now());
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new Enable3ValidationError(field, "is an invalid Date");
    return formatApiDate(value);
  }
  if (typeof value === "string" && value.trim() !== "") return value;
  throw new Enable3ValidationError(field, "must be a Date or a non-blank string");
}

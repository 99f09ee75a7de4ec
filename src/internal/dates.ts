// The API's timestamps are `yyyy-MM-dd HH:mm:ss` with no zone (published example: 2024-02-22 10:00:00).
import { Enable3ValidationError } from "../errors/classes.js";

/**
 * Formats a Date as the API's `yyyy-MM-dd HH:mm:ss`, in UTC.
 * @example formatApiDate(new Date("2024-02-22T10:00:00Z")); // "2024-02-22 10:00:00"
 */
export function formatApiDate(date: Date): string {
  const year = date.getUTCFullYear();
  // outside the format's four digits, as before: what toISOString makes of it
  if (!(year >= 0 && year <= 9999)) return date.toISOString().slice(0, 19).replace("T", " ");
  const y = year < 1000 ? String(year).padStart(4, "0") : String(year);
  return `${y}-${two(date.getUTCMonth() + 1)}-${two(date.getUTCDate())} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
}

/** Two digits, written without a general formatter. */
const two = (n: number) => (n < 10 ? `0${n}` : String(n));

/** Now, formatted once per second: a bulk run of events without createdAt formats the same second thousands of times. */
let nowSecond = Number.NaN;
let nowText = "";
function now(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== nowSecond) {
    nowSecond = second;
    nowText = formatApiDate(new Date(second * 1000));
  }
  return nowText;
}

/** A Date is formatted in UTC (years 0000–9999, the format's four digits); a string passes through untouched; absent means now. */
export function apiDate(value: unknown, field: string): string {
  if (value === undefined) return now();
  if (value instanceof Date) {
    const year = value.getUTCFullYear();
    if (Number.isNaN(year)) throw new Enable3ValidationError(field, "is an invalid Date");
    if (year < 0 || year > 9999) throw new Enable3ValidationError(field, `must be in the years 0000 to 9999, got ${year}`);
    return formatApiDate(value);
  }
  if (typeof value === "string" && value.trim() !== "") return value;
  throw new Enable3ValidationError(field, "must be a Date or a non-blank string");
}

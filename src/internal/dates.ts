// The API's timestamps are `yyyy-MM-dd HH:mm:ss` with no zone, read as UTC (published example:
// 2024-02-22 10:00:00). One rule for them, used by the client, the CLI flags and the import alike:
// a Date, that format, or ISO 8601 with a zone (converted to it); anything else is refused up front.
import { Enable3ValidationError } from "../errors/validation.js";
import { shownValue } from "./validate.js";

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

/**
 * The UTC instant of these calendar fields, or undefined when they name no real moment (2024-02-31,
 * 10:61): a field out of range would otherwise roll over into the next one.
 */
export function utcDate(y: number, mo: number, d: number, h: number, mi: number, s: number, ms = 0): Date | undefined {
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, reads year 0024 as 24, not 1924
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  const same =
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === mo - 1 &&
    date.getUTCDate() === d &&
    date.getUTCHours() === h &&
    date.getUTCMinutes() === mi &&
    date.getUTCSeconds() === s;
  return same ? date : undefined;
}

/** Both forms the rule reads, told apart by their separator: " " for the API's own, "T" for ISO 8601. */
const DATE_TIME = /^(\d{4})-(\d\d)-(\d\d)([ T])(\d\d):(\d\d)(?::(\d\d)(\.\d{1,9})?)?(Z|[+-]\d\d:\d\d)?$/i;

/**
 * A date as the API takes it: a Date (formatted in UTC), `yyyy-MM-dd HH:mm:ss` (sent as it is, read as
 * UTC), or ISO 8601 with a zone (`2024-02-22T10:00:00Z`, `…+02:00`: converted to UTC, fractions of a
 * second dropped). Throws Enable3ValidationError naming `field` for anything else: an ISO time without
 * a zone (ambiguous), a date that does not exist, a year outside 0000–9999, free text.
 * @example toApiDate("2024-02-22T12:00:00+02:00"); // "2024-02-22 10:00:00"
 */
export function toApiDate(value: Date | string, field = "date"): string {
  if (value instanceof Date) return inRange(value, field);
  const m = typeof value === "string" ? DATE_TIME.exec(value) : null;
  const zone = m?.[9];
  // the API's form has its seconds, and no fraction or zone
  const apiForm = m?.[4] === " " && m[7] !== undefined && m[8] === undefined && zone === undefined;
  if (!m || (m[4] === " " && !apiForm)) {
    throw new Enable3ValidationError(
      field,
      `must be "yyyy-MM-dd HH:mm:ss" (UTC), ISO 8601 with a zone such as 2024-02-22T10:00:00Z, or a Date, got ${shownValue(value)}`,
    );
  }
  if (!apiForm && zone === undefined) {
    throw new Enable3ValidationError(
      field,
      `has no time zone: add Z (UTC) or an offset such as +02:00, or write "yyyy-MM-dd HH:mm:ss" (read as UTC), got ${shownValue(value)}`,
    );
  }
  // the API's own form is checked on every event sent: by the calendar's rule, without making a Date
  const notReal = () => new Enable3ValidationError(field, `is not a real date and time, got ${shownValue(value)}`);
  if (apiForm) {
    if (!realDateTime(+m[1]!, +m[2]!, +m[3]!, +m[5]!, +m[6]!, +m[7]!)) throw notReal();
    return value as string;
  }
  const local = utcDate(+m[1]!, +m[2]!, +m[3]!, +m[5]!, +m[6]!, +(m[7] ?? 0));
  if (!local) throw notReal();
  const offset = zone!.length === 1 ? 0 : (zone![0] === "-" ? -1 : 1) * (+zone!.slice(1, 3) * 60 + +zone!.slice(4));
  return inRange(new Date(local.getTime() - offset * 60_000), field);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** What utcDate says of a four-digit year's fields (no roll-over: 2024-02-30 and 10:60 are not real), without a Date. */
function realDateTime(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return false;
  // the proleptic Gregorian calendar, as Date's: year 0 is a leap year
  const leap = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= DAYS_IN_MONTH[mo - 1]! + (leap ? 1 : 0);
}

function inRange(date: Date, field: string): string {
  const year = date.getUTCFullYear();
  if (Number.isNaN(year)) throw new Enable3ValidationError(field, "is an invalid Date");
  if (year < 0 || year > 9999) throw new Enable3ValidationError(field, `must be in the years 0000 to 9999, got ${year}`);
  return formatApiDate(date);
}

/** A request body's date field: now when absent, else the one rule ({@link toApiDate}). */
export function apiDate(value: unknown, field: string): string {
  if (value === undefined) return now();
  return toApiDate(value as Date | string, field);
}

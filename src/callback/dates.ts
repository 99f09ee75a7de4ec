// Withdrawal callbacks, their dates: Enable3 writes `createdAt` as yyyy-MM-dd'T'HH:mm:ss.SSSSSS with
// no zone (an older version wrote yyyy-MM-dd HH:mm:ss); both are read as UTC, and written as the first.
import { Enable3ValidationError } from "../errors/validation.js";
import { utcDate } from "../internal/dates.js";

/**
 * Both documented formats, no zone (read as UTC): `2024-02-22T10:00:00.123456` and `2024-02-22 10:00:00`;
 * a trailing zone (`Z`, `+02:00`) is read too.
 * Undefined for anything else, including dates that do not exist (2024-02-31, 10:00:60).
 * @example parseCallbackDate("2024-02-22 10:00:00")?.toISOString(); // "2024-02-22T10:00:00.000Z"
 */
export function parseCallbackDate(text: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|([+-])(\d{2}):(\d{2}))?$/i.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const local = utcDate(y, mo, d, h, mi, s, Math.floor(Number(`0.${m[7] ?? "0"}`) * 1000));
  // a zone is not what Enable3 documents, but a genuine, verified payout must not be refused for it
  const offsetMinutes = m[9] === undefined ? 0 : (m[9] === "-" ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  return local && new Date(local.getTime() - offsetMinutes * 60_000);
}

/**
 * A Date as Enable3 writes a callback's `createdAt`: `yyyy-MM-dd'T'HH:mm:ss.SSSSSS`, in UTC, no zone
 * (a Date holds milliseconds, so the last three digits are 0). Throws Enable3ValidationError for an
 * invalid Date or one outside the years 0000–9999. parseCallbackDate reads it back to the same Date.
 * @example formatCallbackDate(new Date("2024-02-22T10:00:00.123Z")); // "2024-02-22T10:00:00.123000"
 */
export function formatCallbackDate(date: Date): string {
  const year = date instanceof Date ? date.getUTCFullYear() : Number.NaN;
  if (Number.isNaN(year)) throw new Enable3ValidationError("date", "must be a valid Date");
  if (year < 0 || year > 9999) throw new Enable3ValidationError("date", `must be in the years 0000 to 9999, got ${year}`);
  return `${date.toISOString().slice(0, 23)}000`;
}

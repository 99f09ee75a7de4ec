// Removes a secret from anything the SDK hands back (error bodies, log lines), however it got there.

export const REDACTED = "[redacted]";

export type Redactor = <T>(value: T) => T;

export function createRedactor(secret: string): Redactor {
  const scrub = (value: unknown): unknown => {
    if (typeof value === "string") return value.includes(secret) ? value.split(secret).join(REDACTED) : value;
    if (Array.isArray(value)) return value.map(scrub);
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [scrub(k), scrub(v)]));
    }
    return value;
  };
  return <T>(value: T) => scrub(value) as T;
}

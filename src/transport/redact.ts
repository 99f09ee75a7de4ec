// Removes the secrets (the API key, a proxy's credentials) from anything the SDK hands back (error
// bodies, log lines), however they got there.

export const REDACTED = "[redacted]";

export type Redactor = <T>(value: T) => T;

export function createRedactor(...secrets: string[]): Redactor {
  const scrub = (value: unknown): unknown => {
    if (typeof value === "string") {
      let text = value;
      for (const secret of secrets) if (text.includes(secret)) text = text.split(secret).join(REDACTED);
      return text;
    }
    if (Array.isArray(value)) return value.map(scrub);
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [scrub(k), scrub(v)]));
    }
    return value;
  };
  return <T>(value: T) => scrub(value) as T;
}

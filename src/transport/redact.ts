// Removes the secrets (the API key, a proxy's credentials) from anything the SDK hands back (error
// bodies, log lines, a raw call's headers and body), however they got there.

export const REDACTED = "[redacted]";

export type Redactor = <T>(value: T) => T;

/**
 * Below this length a secret is redacted only where it stands alone (not inside a longer word): a
 * short test key such as "sock" would otherwise turn "socket hang up" into "[redacted]et hang up".
 * A real key is far longer, and is removed wherever it appears.
 */
const WHOLE_WORD_BELOW = 16;

export function createRedactor(...secrets: string[]): Redactor {
  const wordPatterns = secrets
    .filter((secret) => secret.length < WHOLE_WORD_BELOW)
    .map((secret) => new RegExp(`(?<![A-Za-z0-9])${secret.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![A-Za-z0-9])`, "g"));
  const long = secrets.filter((secret) => secret.length >= WHOLE_WORD_BELOW);
  const scrub = (value: unknown): unknown => {
    if (typeof value === "string") {
      let text = value;
      for (const secret of long) if (text.includes(secret)) text = text.split(secret).join(REDACTED);
      for (const pattern of wordPatterns) text = text.replace(pattern, REDACTED);
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

/** A copy of `headers` with every value redacted: how a response's headers are handed back (raw results, `.withResponse()`). */
export function redactedHeaders(
  headers: { forEach(each: (value: string, name: string) => void): void } | undefined,
  redact: Redactor,
): Headers {
  const copy = new Headers();
  headers?.forEach((value, name) => {
    copy.append(name, redact(value));
  });
  return copy;
}

const utf8 = new TextDecoder();

/** The body with any secret in its text replaced; the very bytes received when it held none (a binary body stays intact). */
export function redactedBytes(bytes: Uint8Array, redact: Redactor): Uint8Array<ArrayBuffer> {
  const text = utf8.decode(bytes);
  const clean = redact(text);
  return clean === text ? new Uint8Array(bytes) : new TextEncoder().encode(clean);
}

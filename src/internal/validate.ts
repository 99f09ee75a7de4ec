// Input checks that run before anything is sent. Each throws Enable3ValidationError naming the field.
import { Enable3ValidationError } from "../errors/validation.js";
import { closest } from "./edit-distance.js";

/** A UTF-16 half of a pair standing alone: not Unicode text, and no URL or JSON parser downstream agrees on it. */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function nonBlankString(value: unknown, field: string): string {
  if (typeof value !== "string") throw new Enable3ValidationError(field, `must be a string, got ${typeName(value)}`);
  if (value.trim() === "") throw new Enable3ValidationError(field, "must not be blank");
  if (LONE_SURROGATE.test(value)) throw new Enable3ValidationError(field, "must be well-formed Unicode (it holds a lone surrogate)");
  return value;
}

/** A space or line break at either end: a key or secret read from a file or a .env line keeps its newline. */
const SURROUNDING_SPACE = /^\s|\s$/;

/**
 * A key or secret (`what`: "a key", "a secret") that was pasted or read whole: none starts or ends with
 * a space or line break, and it has at least `minLength` characters. The value is never shown.
 */
export function secretText(value: string, field: string | readonly (string | number)[], what: string, minLength = 1): string {
  if (SURROUNDING_SPACE.test(value)) {
    throw new Enable3ValidationError(
      field,
      `begins or ends with a space or line break (${what} read from a file keeps its newline): remove it (value not shown)`,
    );
  }
  if (value.length < minLength) throw new Enable3ValidationError(field, `must be at least ${minLength} characters (value not shown)`);
  return value;
}

/** C0 and C1 control characters, and DEL: an id is printed in logs, terminals and dead letters. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's purpose
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** An id (user, event, request, segment): a non-blank string with no control character in it. */
export function identifier(value: unknown, field: string): string {
  const id = nonBlankString(value, field);
  if (CONTROL.test(id)) throw new Enable3ValidationError(field, "must not hold control characters (a terminal or log would act on them)");
  return id;
}

/** A user id goes into a URL path segment: "." and ".." would be resolved away by URL parsing. */
export function userId(value: unknown, field = "userId"): string {
  const id = identifier(value, field);
  if (id === "." || id === "..") throw new Enable3ValidationError(field, `must not be "${id}"`);
  return id;
}

/** The longest delay a timer can take: setTimeout fires at once for anything longer. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A finite number within [min, max]; `whole` asks for an integer. */
export function numberIn(value: unknown, field: string, min = -Infinity, max = Infinity, whole = false): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max || (whole && !Number.isInteger(value))) {
    const range = min === -Infinity ? "" : max === Infinity ? ` >= ${min}` : ` from ${min} to ${max}`;
    throw new Enable3ValidationError(field, `must be a ${whole ? "whole" : "finite"} number${range}, got ${typeName(value)}`);
  }
  return value;
}

export function nonEmptyArray(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) throw new Enable3ValidationError(field, `must be an array, got ${typeName(value)}`);
  if (value.length === 0) throw new Enable3ValidationError(field, "must not be empty");
  return value;
}

/** An array of non-blank strings; `ids` asks for identifiers (no control characters) in it. */
export function stringArray(value: unknown, field: string, { nonEmpty = false, ids = false } = {}): string[] {
  const list = nonEmpty ? nonEmptyArray(value, field) : Array.isArray(value) ? value : notArray(value, field);
  return list.map((item, i) => (ids ? identifier : nonBlankString)(item, `${field}[${i}]`));
}

export function httpUrl(value: unknown, field: string): string {
  const text = nonBlankString(value, field);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Enable3ValidationError(field, `must be an http(s) URL, got "${text}"`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Enable3ValidationError(field, `must be an http(s) URL, got "${text}"`);
  }
  return text;
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * The key travels in a header: plain http only where it never leaves the machine. Returned normalised
 * (origin and percent-encoded path, no trailing slash), the one form every transport is handed: a raw
 * space, control or non-ASCII character would otherwise reach node:http, which refuses the request.
 */
export function baseUrl(value: unknown, field = "baseUrl"): string {
  const text = httpUrl(value, field);
  const url = new URL(text);
  if (url.protocol === "http:" && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new Enable3ValidationError(
      field,
      "must use https (plain http only for localhost, 127.0.0.1 and ::1: the key would travel in clear text)",
    );
  }
  if (url.username !== "" || url.password !== "")
    throw new Enable3ValidationError(field, "must not hold a user name or password (value not shown)");
  if (url.search !== "" || url.hash !== "" || text.includes("?") || text.includes("#")) {
    throw new Enable3ValidationError(field, `must not have a query or fragment, got "${text}"`);
  }
  const path = url.pathname.replace(/\/+$/, "");
  // the SDK writes every operation's whole path: a base that ends in one doubles it, and every call 404s
  if (/\/api(\/v1)?$/i.test(path)) {
    throw new Enable3ValidationError(
      field,
      `must be the API's root, without ${path.slice(path.search(/\/api(\/v1)?$/i))} (the SDK adds /api/v1/… itself), got "${text}"`,
    );
  }
  return `${url.origin}${path}`;
}

/** A JSON-style object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A copy of the object's own string entries: inherited keys are never sent. */
export function stringRecord(value: unknown, field: string): Record<string, string> {
  if (!isRecord(value)) {
    throw new Enable3ValidationError(field, `must be an object of strings, got ${typeName(value)}`);
  }
  const copy = plainObject(value, field);
  for (const [key, v] of Object.entries(copy)) {
    if (typeof v !== "string") throw new Enable3ValidationError(`${field}.${key}`, `must be a string, got ${typeName(v)}`);
  }
  return copy as Record<string, string>;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** What fetch accepts in a header value: no CR, LF or NUL (they would split the request), Latin-1 only. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Headers the transport writes itself, from the body, the URL and the route (and compression, which it
 * decodes on every transport): one given here would contradict them (Content-Length beside
 * Transfer-Encoding) or be dropped by fetch, so it is refused where it is given.
 */
const TRANSPORT_HEADERS = new Set([
  "host",
  "connection",
  "keep-alive",
  "content-length",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "expect",
  "proxy-authorization",
  "proxy-connection",
  "accept-encoding",
]);

/** Headers that every call can send: checked once here, so no call fails later for them. */
export function headerRecord(value: unknown, field: string): Record<string, string> {
  const headers = stringRecord(value, field);
  for (const [name, v] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) throw new Enable3ValidationError(field, `has an invalid header name ${JSON.stringify(name)}`);
    if (TRANSPORT_HEADERS.has(name.toLowerCase()))
      throw new Enable3ValidationError(`${field}.${name}`, "is written by the transport itself and cannot be set");
    if (!HEADER_VALUE.test(v))
      throw new Enable3ValidationError(`${field}.${name}`, "must not hold line breaks, NUL or characters beyond Latin-1 (value not shown)");
  }
  return headers;
}

/** One header's value: a non-blank string fetch and node:http both accept (value not shown when it is not). */
export function headerValue(value: unknown, field: string): string {
  const text = nonBlankString(value, field);
  if (!HEADER_VALUE.test(text))
    throw new Enable3ValidationError(field, "must not hold line breaks, NUL or characters beyond Latin-1 (value not shown)");
  return text;
}

/**
 * A JSON-style object, copied field by field: a getter that throws is a validation error here, not
 * a raw error later, and a getter that changes its answer cannot change what is sent.
 */
export function plainObject(value: unknown, field: string): Record<string, unknown> {
  if (!isRecord(value)) throw new Enable3ValidationError(field, `must be an object, got ${typeName(value)}`);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    // an own "__proto__" (JSON.parse makes one) would set the copy's prototype: fields read through it
    if (key === "__proto__") throw new Enable3ValidationError(`${field}.__proto__`, "is not a field (it would set the object's prototype)");
    try {
      copy[key] = value[key];
    } catch (error) {
      throw new Enable3ValidationError(`${field}.${key}`, `could not be read (${error instanceof Error ? error.name : typeof error})`);
    }
  }
  return copy;
}

/**
 * Refuses a key of `object` that is not in `allowed` (own keys; one set to undefined too: a typo is a
 * typo), naming the closest allowed one: JavaScript callers get no compiler to catch `timeout: 5`.
 * The one rule for every factory's and call's options.
 * @example checkKnownKeys(options, ["apiKey", "baseUrl"], "options"); // options.apikey is not an option (did you mean "apiKey"?)
 */
export function checkKnownKeys(object: object, allowed: readonly string[], fieldPath: string): void {
  for (const key in object) {
    if (!Object.hasOwn(object, key) || allowed.includes(key)) continue;
    const near = closest(key, allowed);
    const hint = near === undefined ? `; the options are ${allowed.join(", ")}` : ` (did you mean "${near}"?)`;
    throw new Enable3ValidationError(`${fieldPath}.${key}`, `is not an option${hint}`);
  }
}

/**
 * The `telemetry` option of every component (client, outbox, receiver): what `openTelemetry()` made,
 * `false` for none, or undefined (the component's default). Checked by shape: the object is opaque.
 * @example telemetryOption(options.telemetry, "options.telemetry");
 */
export function telemetryOption<T>(value: T, field: string): T {
  if (value === undefined || value === false) return value;
  if (typeof value !== "object" || value === null || !("signal" in value)) {
    throw new Enable3ValidationError(field, 'must be openTelemetry() from "enable3-client/opentelemetry", or false');
  }
  return value;
}

/**
 * Hooks given as options: each of `names` present in `object` is a function (or undefined). With
 * `onlyHooks` (the client's `hooks` object), a key that is not one of `names` is refused too; options
 * objects that hold hooks beside other options refuse unknown keys through {@link checkKnownKeys}.
 * `fieldPath` is where the hooks sit: "options" or "options.hooks".
 * @example hookOptions(options, ["onDelivered", "onError"], "options"); // options.onError must be a function
 */
export function hookOptions(object: object, names: readonly string[], fieldPath: string, onlyHooks = false): void {
  for (const [name, hook] of Object.entries(object)) {
    if (!names.includes(name)) {
      if (onlyHooks) throw new Enable3ValidationError(`${fieldPath}.${name}`, `is not a hook (${names.join(", ")})`);
      continue;
    }
    if (hook !== undefined && typeof hook !== "function") throw new Enable3ValidationError(`${fieldPath}.${name}`, "must be a function");
  }
}

function notArray(value: unknown, field: string): never {
  throw new Enable3ValidationError(field, `must be an array, got ${typeName(value)}`);
}

/** How long a string may be when a message shows it: enough to recognise, never a whole line of input. */
const SHOWN_MAX = 64;

/**
 * A bad value as a message shows it: a string quoted, cut at 64 characters, every control character
 * escaped (a terminal or log would act on it); anything else as {@link typeName} says. For values that
 * are not secret (dates, ids), never the key.
 */
export function shownValue(value: unknown): string {
  if (typeof value !== "string") return typeName(value);
  const cut = value.length > SHOWN_MAX ? `${value.slice(0, SHOWN_MAX)}…` : value;
  // JSON escapes C0 controls, quotes and backslashes; C1 controls and DEL are escaped here
  return JSON.stringify(cut).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** What a bad value was, for messages: numbers by value, anything else by type (never a string's content). */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "number" ? String(value) : typeof value;
}

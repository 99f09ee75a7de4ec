// Input checks that run before anything is sent. Each throws Enable3ValidationError naming the field.
import { Enable3ValidationError } from "../errors.js";

export function nonBlankString(value: unknown, field: string): string {
  if (typeof value !== "string") throw new Enable3ValidationError(field, `must be a string, got ${typeName(value)}`);
  if (value.trim() === "") throw new Enable3ValidationError(field, "must not be blank");
  return value;
}

/** A user id goes into a URL path segment: "." and ".." would be resolved away by URL parsing. */
export function userId(value: unknown, field = "userId"): string {
  const id = nonBlankString(value, field);
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

export function stringArray(value: unknown, field: string, { nonEmpty = false } = {}): string[] {
  const list = nonEmpty ? nonEmptyArray(value, field) : Array.isArray(value) ? value : notArray(value, field);
  return list.map((item, i) => nonBlankString(item, `${field}[${i}]`));
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

/** The key travels in a header: plain http only where it never leaves the machine. */
export function baseUrl(value: unknown, field = "baseUrl"): string {
  const text = httpUrl(value, field);
  const url = new URL(text);
  if (url.protocol === "http:" && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new Enable3ValidationError(
      field,
      "must use https (plain http is allowed only for localhost, 127.0.0.1 and ::1: the API key would travel in clear text)",
    );
  }
  return text;
}

/** A JSON-style object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function stringRecord(value: unknown, field: string): Record<string, string> {
  if (!isRecord(value)) {
    throw new Enable3ValidationError(field, `must be an object of strings, got ${typeName(value)}`);
  }
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== "string") throw new Enable3ValidationError(`${field}.${key}`, `must be a string, got ${typeName(v)}`);
  }
  return value as Record<string, string>;
}

export function plainObject(value: unknown, field: string): Record<string, unknown> {
  if (!isRecord(value)) throw new Enable3ValidationError(field, `must be an object, got ${typeName(value)}`);
  return value;
}

function notArray(value: unknown, field: string): never {
  throw new Enable3ValidationError(field, `must be an array, got ${typeName(value)}`);
}

/** What a bad value was, for messages: numbers by value, anything else by type (never a string's content). */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "number" ? String(value) : typeof value;
}

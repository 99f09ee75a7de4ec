// Argument parsing on node:util parseArgs, with usage errors that exit 2 and name what was typed.
import { type ParseArgsConfig, parseArgs } from "node:util";
import { Enable3ValidationError, editDistance, toApiDate } from "../index.js";
import { fmt } from "./progress.js";

/** A mistake in how the command was called: exit code 2, with the command's help hint. */
export class UsageError extends Error {
  override name = "UsageError";
}

export type Options = NonNullable<ParseArgsConfig["options"]>;

/** Options every subcommand takes. */
export const COMMON_OPTIONS = {
  "base-url": { type: "string" },
  json: { type: "boolean", default: false },
  "max-retries": { type: "string" },
  "retry-delay-ms": { type: "string" },
  "timeout-ms": { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const satisfies Options;

type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: typeof COMMON_OPTIONS & O; allowPositionals: true; strict: true }>
>;

export function parse<O extends Options>(args: string[], options: O): { values: Parsed<O>["values"]; positionals: string[] } {
  const all: Options = { ...COMMON_OPTIONS, ...options };
  try {
    return parseArgs({ args: withNegativeValues(args, all), options: all, allowPositionals: true, strict: true }) as Parsed<O>;
  } catch (error) {
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec((error as Error).message)?.[1];
    const secret = unknown === undefined ? undefined : SECRET_FLAGS[unknown.replace(/=.*$/, "")];
    if (secret) throw new UsageError(secret);
    if (unknown)
      throw new UsageError(
        `unknown option ${unknown}${didYouMean(
          unknown,
          Object.keys(all).map((k) => `--${k}`),
        )}`,
      );
    throw new UsageError((error as Error).message.replace(/\. To specify .*$/s, ""));
  }
}

/** Flags a secret would be typed into, and where the secret is read from instead. */
const SECRET_FLAGS: Record<string, string> = {
  "--api-key":
    "the API key is read only from the environment variable ENABLE3_API_KEY (a flag would show in `ps` and your shell history): export ENABLE3_API_KEY=…",
  "--key": "the API key is read only from the environment variable ENABLE3_API_KEY (a flag would show in `ps` and your shell history)",
};

/** `--revenue -5`: a value that looks like a number is the option's value, not another option. */
function withNegativeValues(args: string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const name = arg.startsWith("--") && !arg.includes("=") ? arg.slice(2) : undefined;
    const next = args[i + 1];
    if (name && options[name]?.type === "string" && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** " (did you mean --base-url?)" for a near miss, else "". */
export function didYouMean(typed: string, known: string[]): string {
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = name.startsWith(typed) && typed.length >= 3 ? 1 : editDistance(typed, name);
    if (!best || distance < best.distance) best = { name, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(typed.length / 4)) ? ` (did you mean ${best.name}?)` : "";
}

export function positional(positionals: string[], index: number, name: string): string {
  const value = positionals[index];
  if (value === undefined || value === "") throw new UsageError(`missing <${name}>`);
  return value;
}

export function noMorePositionals(positionals: string[], expected: number) {
  if (positionals.length > expected) throw new UsageError(`unexpected argument "${positionals[expected]}"`);
}

export function number(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new UsageError(`--${flag} must be a number, got "${value}"`);
  return n;
}

/** A whole-number flag within a range, named as typed: the one check of --concurrency, --from-line and --port. */
export function wholeNumber(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  const n = number(value, flag);
  if (n !== undefined && (!Number.isInteger(n) || n < min || n > max))
    throw new UsageError(`--${flag} must be a whole number from ${fmt(min)} to ${fmt(max)}, got ${value}`);
  return n;
}

export function required<T>(value: T | undefined, flag: string): T {
  if (value === undefined) throw new UsageError(`--${flag} is required`);
  return value;
}

/** `--param k=v` pairs into an object. */
export function pairs(values: string[] | undefined, flag: string): Record<string, string> | undefined {
  if (!values?.length) return undefined;
  return Object.fromEntries(
    values.map((pair) => {
      const at = pair.indexOf("=");
      if (at <= 0) throw new UsageError(`--${flag} takes key=value, got "${pair}"`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}

/**
 * A date flag, by the library's one rule (`toApiDate`): `yyyy-MM-dd HH:mm:ss` (UTC), or ISO 8601 with a
 * zone (converted), checked before anything is sent: "yesterday", 2024-02-31 or a zoneless ISO time is
 * a usage error naming the flag. Resolves to the text the API gets.
 */
export function apiDateFlag(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  try {
    return toApiDate(value, `--${flag}`);
  } catch (error) {
    // the library's date messages echo the value themselves
    if (error instanceof Enable3ValidationError) throw new UsageError(`--${flag} ${error.problem}`);
    throw error;
  }
}

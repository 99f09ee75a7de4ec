// Argument parsing on node:util parseArgs, with usage errors that exit 2.
import { parseArgs, type ParseArgsConfig } from "node:util";

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

type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: typeof COMMON_OPTIONS & O; allowPositionals: true; strict: true }>>;

export function parse<O extends Options>(args: string[], options: O): { values: Parsed<O>["values"]; positionals: string[] } {
  try {
    return parseArgs({ args, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true }) as Parsed<O>;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
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

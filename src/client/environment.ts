// The runtime's environment variables the client reads when an option is left out (ENABLE3_API_KEY,
// ENABLE3_BASE_URL, ENABLE3_LOG), on every runtime that has one and without a throw on those that do not.
import { Enable3ValidationError } from "../errors/validation.js";
import * as check from "../internal/validate.js";
import { LOG_LEVELS, type LogLevel } from "../transport/log.js";

/**
 * An environment variable where the runtime has an environment (Node, Bun, Deno); never a throw, also
 * where reading it is not permitted (Deno without --allow-env: `denied`) or there is none (workers).
 * An empty variable counts as unset.
 */
export function environment(name: string): { value: string | undefined; denied: boolean } {
  try {
    const g = globalThis as {
      process?: { env?: Record<string, string | undefined> };
      Deno?: { env: { get(n: string): string | undefined } };
    };
    return { value: (g.Deno ? g.Deno.env.get(name) : g.process?.env?.[name]) || undefined, denied: false };
  } catch {
    return { value: undefined, denied: true };
  }
}

/**
 * ENABLE3_LOG's level, when set. A value it does not know is refused like a bad option (as a bad
 * ENABLE3_BASE_URL is): a typo that silently logged nothing would be found only when the logs were needed.
 */
export function logLevelFromEnvironment(): LogLevel | undefined {
  const value = fromEnvironment("ENABLE3_LOG");
  if (value === undefined) return undefined;
  const level = value.trim().toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(level)) {
    throw new Enable3ValidationError("ENABLE3_LOG", `must be one of ${LOG_LEVELS.join(", ")}, got ${check.shownValue(value)}`);
  }
  return level;
}

/** An environment variable's value, undefined when unset, empty or unreadable. */
export function fromEnvironment(name: string): string | undefined {
  return environment(name).value;
}

// The client the CLI uses: the key only from the environment (a flag would show in `ps` and shell
// history), the rest from flags first, then the environment. Errors name the flag that was typed.
import { DEFAULT_BASE_URL, type Enable3Client, Enable3ValidationError } from "../index.js";
import { createEnable3Client } from "../index.node.js";
import { number, UsageError } from "./args.js";

export interface ClientFlags {
  "base-url"?: string;
  "max-retries"?: string;
  "retry-delay-ms"?: string;
  "timeout-ms"?: string;
}

/** The SDK option each flag sets. */
const FLAG_OF: Record<string, string> = {
  "options.apiKey": "ENABLE3_API_KEY",
  "options.baseUrl": "--base-url",
  "options.maxRetries": "--max-retries",
  "options.initialDelayMs": "--retry-delay-ms",
  "options.timeoutMs": "--timeout-ms",
};

/** Where the base URL came from: what a message about it names. */
export type BaseUrlSource = "--base-url" | "ENABLE3_BASE_URL" | "the default base URL";

/** The base URL: --base-url, else ENABLE3_BASE_URL (an empty variable is an unset one, as the library reads it), else the default. */
export function baseUrlFrom(flags: ClientFlags, env: NodeJS.ProcessEnv): { baseUrl: string; source: BaseUrlSource } {
  if (flags["base-url"] !== undefined) return { baseUrl: flags["base-url"], source: "--base-url" };
  if (env.ENABLE3_BASE_URL) return { baseUrl: env.ENABLE3_BASE_URL, source: "ENABLE3_BASE_URL" };
  return { baseUrl: DEFAULT_BASE_URL, source: "the default base URL" };
}

/**
 * The SDK's refusal of an option as a usage error naming what was typed or set: the flag, or the
 * environment variable the value came from; undefined for an option no flag sets.
 */
export function usageErrorOf(error: Enable3ValidationError, flags: ClientFlags): UsageError | undefined {
  const flag = FLAG_OF[error.field];
  if (flag === "--base-url" && flags["base-url"] === undefined) return new UsageError(`ENABLE3_BASE_URL ${error.problem}`);
  if (flag === "ENABLE3_API_KEY")
    return new UsageError(`ENABLE3_API_KEY ${error.problem.replace(/ \(set ENABLE3_API_KEY or pass apiKey\)/, "")}`);
  return flag ? new UsageError(`${flag} ${error.problem}`) : undefined;
}

export function clientFrom(flags: ClientFlags, env: NodeJS.ProcessEnv = process.env): Enable3Client {
  const apiKey = env.ENABLE3_API_KEY;
  if (!apiKey) throw new UsageError("set ENABLE3_API_KEY to your Enable3 API key (for the mock, any value: see `enable3 mock`)");
  const transport = env.ENABLE3_TRANSPORT || undefined;
  if (transport !== undefined && transport !== "fetch" && transport !== "node") {
    throw new UsageError(`ENABLE3_TRANSPORT must be "node" (the default) or "fetch", got ${JSON.stringify(transport)}`);
  }
  try {
    return createEnable3Client({
      apiKey,
      baseUrl: baseUrlFrom(flags, env).baseUrl,
      // ENABLE3_TRANSPORT=fetch routes the CLI through the global fetch (its proxy or instrumentation) instead of node:http
      ...(transport === "fetch" ? { fetch: globalThis.fetch } : {}),
      maxRetries: number(flags["max-retries"], "max-retries"),
      initialDelayMs: number(flags["retry-delay-ms"], "retry-delay-ms"),
      timeoutMs: number(flags["timeout-ms"], "timeout-ms"),
    });
  } catch (error) {
    throw (error instanceof Enable3ValidationError && usageErrorOf(error, flags)) || error;
  }
}

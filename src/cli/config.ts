// The client the CLI uses: the key only from the environment (a flag would show in `ps` and shell
// history), the rest from flags first, then the environment.
import { createEnable3Client, type Enable3Client } from "../index.js";
import { number, UsageError } from "./args.js";

export interface ClientFlags {
  "base-url"?: string;
  "max-retries"?: string;
  "retry-delay-ms"?: string;
  "timeout-ms"?: string;
}

export function clientFrom(flags: ClientFlags, env: NodeJS.ProcessEnv = process.env): Enable3Client {
  const apiKey = env.ENABLE3_API_KEY;
  if (!apiKey) throw new UsageError("set ENABLE3_API_KEY to your Enable3 API key (for the mock, any value: see `enable3 mock`)");
  return createEnable3Client({
    apiKey,
    baseUrl: flags["base-url"] ?? env.ENABLE3_BASE_URL,
    maxRetries: number(flags["max-retries"], "max-retries"),
    initialDelayMs: number(flags["retry-delay-ms"], "retry-delay-ms"),
    timeoutMs: number(flags["timeout-ms"], "timeout-ms"),
  });
}

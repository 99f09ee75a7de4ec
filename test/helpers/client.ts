// Shared test plumbing: a client on a scripted server, and a fetch that counts what reaches the network.
import { createEnable3Client } from "../../src/index.js";
import type { ClientOptions } from "../../src/index.js";

export const TEST_KEY = "test-key-5f1c9a0e7d";

export function clientFor(baseUrl: string, options: Partial<ClientOptions> = {}) {
  return createEnable3Client({ apiKey: TEST_KEY, baseUrl, maxRetries: 0, ...options });
}

/** A fetch that records every call and never touches the network: for "nothing was sent" checks. */
export function countingFetch() {
  const calls: string[] = [];
  const fetch = (async (input: RequestInfo | URL) => {
    calls.push(input instanceof Request ? input.url : String(input));
    return new Response("{}", { status: 200, headers: { "content-type": "application/json" } });
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

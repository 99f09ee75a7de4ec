// Shared test plumbing: a client on a scripted server, and a fetch that counts what reaches the network.

import type { ClientOptions } from "../../src/index.js";
import { createEnable3Client as onFetch } from "../../src/index.js";
import { createEnable3Client as onNode } from "../../src/index.node.js";

export const TEST_KEY = "test-key-5f1c9a0e7d";

/**
 * Which transport `clientFor` clients use: the vitest project "loopback-node" runs the loopback suites
 * again with ENABLE3_TEST_TRANSPORT=node, so every fault test holds on both transports.
 */
export const TRANSPORT = process.env.ENABLE3_TEST_TRANSPORT === "node" ? "node" : "fetch";
const create = TRANSPORT === "node" ? onNode : onFetch;

export function clientFor(baseUrl: string, options: Partial<ClientOptions> = {}) {
  return create({ apiKey: TEST_KEY, baseUrl, maxRetries: 0, ...options });
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

// enable3-client on Node (the `node` export condition): the same API as the core entry, but clients
// that are given no `fetch` use the SDK's node:http transport, a fraction of fetch's CPU per call.
// Other runtimes (Bun, Deno, browsers, workers) resolve the core entry and never load this file.
import { buildClient, type Enable3Client } from "./client/create-client.js";
import type { ClientOptions } from "./client/options.js";
import { createHttpTransport } from "./transport/http-transport.js";

export * from "./index.js";

/**
 * Creates a client. Throws Enable3ValidationError for a missing key or an unsafe base URL. On Node it
 * talks HTTP through node:http with one keep-alive Agent per client (`client.close()` frees its
 * sockets); a `fetch` option, when given, is used instead.
 * @example
 * import { createEnable3Client } from "enable3-client";
 * const enable3 = createEnable3Client({ apiKey: process.env.ENABLE3_API_KEY! });
 * await enable3.sendEvent({ userId: "u1", eventId: "deposit", value: 50 });
 */
export function createEnable3Client(options: ClientOptions = {}): Enable3Client {
  return buildClient(options, () => createHttpTransport(typeof globalThis.fetch === "function" ? globalThis.fetch : undefined));
}

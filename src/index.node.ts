// enable3-client on Node (the `node` export condition): the same API as the core entry, but clients
// that are given no `fetch` use the SDK's node:http transport, a fraction of fetch's CPU per call.
// Other runtimes (Bun, Deno, browsers, workers) resolve the core entry and never load this file.
import { buildClient, type Enable3Client } from "./client/create-client.js";
import type { ClientOptions } from "./client/options.js";
import { installedOpenTelemetry } from "./telemetry/installed.js";
import { openTelemetrySignal } from "./telemetry/opentelemetry.js";
import { createHttpTransport } from "./transport/http-transport.js";
import { envProxyEnabled, proxySecrets, resolveRoute } from "./transport/proxy.js";

export * from "./index.js";

/**
 * Creates a client. Throws Enable3ValidationError for a missing key, an unsafe base URL or a bad proxy.
 * On Node it talks HTTP through node:http, on keep-alive pools shared by the process's clients (see
 * `close()`), through the `proxy` option or, with NODE_USE_ENV_PROXY=1, HTTPS_PROXY/HTTP_PROXY and
 * NO_PROXY as Node itself reads them; a `fetch` option, when given, is used instead.
 * @example
 * import { createEnable3Client } from "enable3-client";
 * const enable3 = createEnable3Client({ apiKey: process.env.ENABLE3_API_KEY! });
 * await enable3.sendEvent({ userId: "u1", eventId: "deposit", value: 50 });
 */
export function createEnable3Client(options: ClientOptions = {}): Enable3Client {
  return buildClient(options, {
    telemetry() {
      const api = installedOpenTelemetry();
      return api === undefined ? undefined : openTelemetrySignal(api, {});
    },
    transport: (proxy) => createHttpTransport(proxy, typeof globalThis.fetch === "function" ? globalThis.fetch : undefined),
    route(baseUrl, option, ownFetch) {
      // the environment is read per client, as Node reads it per agent: a variable set after start-up counts
      const environment = { env: process.env, enabled: envProxyEnabled(process.env, process.execArgv) };
      const { route, proxy } = resolveRoute(baseUrl, option, environment, ownFetch);
      return { route, proxy, secrets: proxySecrets(proxy) };
    },
  });
}

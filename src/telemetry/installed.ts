// The app's own @opentelemetry/api, found the way the app's own `import` finds it: for the Node-only
// entries (the Node client, the outbox), which use it without being told. Never loaded elsewhere.
import { createRequire } from "node:module";
import type { OpenTelemetryApi } from "./otel-api.js";

/**
 * The installed `@opentelemetry/api`, or undefined: an optional peer, looked up synchronously (as a
 * client or an outbox is made), and absent costs nothing. One copy of the API shares its registered
 * providers with any other copy of the same major version.
 */
export function installedOpenTelemetry(): OpenTelemetryApi | undefined {
  for (const from of [`${process.cwd()}/`, import.meta.url]) {
    try {
      return createRequire(from)("@opentelemetry/api") as OpenTelemetryApi;
    } catch {
      // not installed where this looked; try the next place
    }
  }
  return undefined;
}

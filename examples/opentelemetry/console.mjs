#!/usr/bin/env node
// OpenTelemetry traces of Enable3 calls, printed by the console exporter. The app registers its
// providers as usual; a Node client finds the installed @opentelemetry/api on its own, so the client
// needs no option at all (`telemetry: openTelemetry({ … })` from enable3-client/opentelemetry tunes it).
//
//   npm run build && node examples/opentelemetry/console.mjs      # against the bundled mock API
import * as api from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { BasicTracerProvider, ConsoleSpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { createEnable3Client } from "enable3-client";

api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
api.propagation.setGlobalPropagator(new W3CTraceContextPropagator());
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())] });
api.trace.setGlobalTracerProvider(provider);

const { startMockServer } = await import("enable3-client/mock");
const mock = process.env.ENABLE3_BASE_URL ? undefined : await startMockServer();
const enable3 = createEnable3Client({
  apiKey: process.env.ENABLE3_API_KEY ?? "mock-key",
  baseUrl: process.env.ENABLE3_BASE_URL ?? mock.url,
});
try {
  // inside a span of the app's own, as a request handler would be: the SDK's spans become its children
  await api.trace.getTracer("shop").startActiveSpan("POST /deposit", async (span) => {
    await enable3.sendEvent({ userId: "player-42", eventId: "deposit", value: 50 });
    await enable3.getUserBalance("player-42");
    span.end();
  });
} finally {
  await provider.shutdown();
  await enable3.close();
  await mock?.stop();
}

// Trace context across the queue on a postgresStore: the enqueuing span's traceparent is kept in the
// row's traceparent column (migration "outbox-3-trace"), null outside a trace, and the delivering
// outbox's call span links to it.
import * as otel from "@opentelemetry/api";
import { expect, it } from "vitest";
import { openTelemetry } from "../../src/opentelemetry.js";
import { createOutbox, postgresStore } from "../../src/outbox.js";
import { clientFor } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { testTelemetry } from "../helpers/opentelemetry.js";
import { createTestDatabase } from "../helpers/postgres.js";
import { registerTeardown } from "../helpers/teardown.js";

it("the traceparent is kept in its column and the delivery's span links to it", async () => {
  const db = await createTestDatabase();
  const server = await startScriptedServer((_req, res) => reply(res, 201));
  const store = () => postgresStore(db.pool, { pollIntervalMs: 20 });
  expect((await store().migrate()).applied).toContain("outbox-3-trace");
  const t = testTelemetry();
  const telemetry = openTelemetry({
    api: { ...t.api, trace: { ...t.api.trace, getSpan: (c: object) => otel.trace.getSpan(c as otel.Context) } },
  });
  const enqueuer = createOutbox(clientFor(server.url), { store: store(), deliver: false, telemetry });
  registerTeardown(() => enqueuer.close({ timeoutMs: 0 }));
  const app = await t.inAppSpan(() => enqueuer.enqueue({ id: "traced", userId: "u", eventId: "deposit", value: 1 }));
  await enqueuer.enqueue({ id: "untraced", userId: "u", eventId: "deposit", value: 1 });
  const { rows } = await db.pool.query("SELECT id, traceparent FROM enable3_outbox ORDER BY id");
  expect(rows).toEqual([
    { id: "traced", traceparent: `00-${app.traceId}-${app.spanId}-01` },
    { id: "untraced", traceparent: null },
  ]);
  const deliverer = createOutbox(clientFor(server.url, { telemetry }), { store: store(), telemetry });
  registerTeardown(() => deliverer.close({ timeoutMs: 0 }));
  await deliverer.flush();
  const links = t
    .spans()
    .filter((s) => s.name === "enable3.sendEvent")
    .map((s) => s.links.map((l) => l.context.spanId));
  expect(links.sort()).toEqual([[], [app.spanId]]);
});

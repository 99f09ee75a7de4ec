// Trace context across the queue, with the real OpenTelemetry SDK: a record enqueued inside a span keeps
// that span's traceparent in the fileStore's journal, and the call that delivers it (by this outbox, or
// by a new outbox on the reopened directory) has a span link to it; outside a trace, or with telemetry
// off, nothing is stored and no link is made. A dead record keeps it through a replay.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import * as otel from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { openTelemetry } from "../../src/opentelemetry.js";
import { createOutbox, fileStore } from "../../src/outbox.js";
import { clientFor } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { testTelemetry } from "../helpers/opentelemetry.js";
import { registerTeardown } from "../helpers/teardown.js";
import { makeTempDir } from "../helpers/temp-dir.js";

/** The test SDK, its API able to read the active span (as `@opentelemetry/api` itself is). */
function tracing() {
  const t = testTelemetry();
  const api = { ...t.api, trace: { ...t.api.trace, getSpan: (ctx: object) => otel.trace.getSpan(ctx as otel.Context) } };
  const callLinks = () =>
    t
      .spans()
      .filter((s) => s.name === "enable3.sendEvent")
      .map((s) => s.links.map((l) => l.context));
  return { ...t, telemetry: openTelemetry({ api }), callLinks };
}

/** An outbox on a new fileStore, traced, holding one record ("traced") enqueued inside an app's span. */
async function tracedRecord(url: string) {
  const t = tracing();
  const outbox = createOutbox(clientFor(url, { telemetry: t.telemetry }), {
    store: fileStore(await makeTempDir("enable3-trace")),
    telemetry: t.telemetry,
  });
  registerTeardown(() => outbox.close({ timeoutMs: 0 }));
  const app = await t.inAppSpan(() => outbox.enqueue({ id: "traced", userId: "u", eventId: "deposit", value: 1 }));
  return { t, outbox, app };
}

async function journalText(dir: string): Promise<string> {
  const names = await readdir(dir, { recursive: true });
  const texts = await Promise.all(names.map((name) => readFile(path.join(dir, String(name)), "utf8").catch(() => "")));
  return texts.join("\n");
}

describe("trace context across the queue", () => {
  it("enqueued inside a span, delivered by the same outbox: the call's span links to the enqueuing span", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 201));
    const { t, outbox, app } = await tracedRecord(server.url);
    await outbox.flush();
    expect(t.callLinks()).toEqual([[{ traceId: app.traceId, spanId: app.spanId, traceFlags: 1, isRemote: true }]]);
  });

  it("after the fileStore is reopened by a new outbox: the link survives in the journal; a record enqueued outside a span gets none", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 201));
    const dir = await makeTempDir("enable3-trace");
    const first = tracing();
    const enqueuer = createOutbox(clientFor(server.url), { store: fileStore(dir), deliver: false, telemetry: first.telemetry });
    registerTeardown(() => enqueuer.close({ timeoutMs: 0 }));
    const app = await first.inAppSpan(() => enqueuer.enqueue({ id: "traced", userId: "u", eventId: "deposit", value: 1 }));
    await enqueuer.enqueue({ id: "untraced", userId: "u", eventId: "deposit", value: 1 });
    await enqueuer.close();
    expect(await journalText(dir)).toContain(`"p":"00-${app.traceId}-${app.spanId}-01"`);

    const second = tracing(); // another process's SDK: only the journal carries the context over
    const deliverer = createOutbox(clientFor(server.url, { telemetry: second.telemetry }), {
      store: fileStore(dir),
      telemetry: second.telemetry,
    });
    registerTeardown(() => deliverer.close({ timeoutMs: 0 }));
    await deliverer.flush();
    expect(server.requests).toHaveLength(2);
    const links = second.callLinks();
    expect(links).toHaveLength(2);
    expect(links.filter((l) => l.length === 0)).toHaveLength(1);
    expect(links.find((l) => l.length > 0)).toEqual([{ traceId: app.traceId, spanId: app.spanId, traceFlags: 1, isRemote: true }]);
    expect(second.spans().some((s) => s.spanContext().traceId === app.traceId)).toBe(false); // linked, not joined
  });

  it("a dead record replayed keeps its enqueuing span: the call that delivers it after the replay links to it", async () => {
    let refuse = true;
    const server = await startScriptedServer((_req, res) => reply(res, refuse ? 400 : 201, refuse ? { message: "no" } : undefined));
    const { t, outbox, app } = await tracedRecord(server.url);
    await outbox.flush();
    const dead: string[] = [];
    for await (const record of outbox.dead()) dead.push(record.id);
    expect(dead).toEqual(["traced"]);
    refuse = false;
    expect(await outbox.replay(["traced"])).toMatchObject({ replayed: 1 });
    await outbox.flush();
    const link = { traceId: app.traceId, spanId: app.spanId, traceFlags: 1, isRemote: true };
    expect(t.callLinks()).toEqual([[link], [link]]); // the refused call and the one after the replay
  });

  it("telemetry off: nothing stored with the record, even inside a span", async () => {
    const dir = await makeTempDir("enable3-trace");
    const t = tracing();
    const outbox = createOutbox(clientFor("http://127.0.0.1:9"), { store: fileStore(dir), deliver: false, telemetry: false });
    registerTeardown(() => outbox.close({ timeoutMs: 0 }));
    await t.inAppSpan(() => outbox.enqueue({ id: "quiet", userId: "u", eventId: "deposit", value: 1 }));
    await outbox.close();
    const text = await journalText(dir);
    expect(text).toContain('"id":"quiet"');
    expect(text).not.toContain('"p":');
  });
});

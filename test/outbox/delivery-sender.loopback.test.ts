// Delivery through the client's record sender (client/record-sender.ts): the stored bodies are sent as
// they were checked at enqueue, both kinds share one limit on requests in flight, and the way in is
// internal to the client (its public shape is unchanged).
import { describe, expect, it } from "vitest";
import { PREPARED_SENDS } from "../../src/client/prepared-sends.js";
import { Enable3ValidationError } from "../../src/index.js";
import { createOutbox, fileStore } from "../../src/outbox.js";
import { clientFor } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { registerTeardown } from "../helpers/teardown.js";
import { makeTempDir } from "../helpers/temp-dir.js";

describe("outbox delivery through the record sender", () => {
  it("events and revenues share one limit: never more than `concurrency` requests at the server at once; each stored body arrives as enqueued", async () => {
    let open = 0;
    let most = 0;
    const server = await startScriptedServer((_req, res) => {
      open++;
      most = Math.max(most, open);
      setTimeout(() => {
        open--;
        reply(res, 201);
      }, 5);
    });
    const outbox = createOutbox(clientFor(server.url), { store: fileStore(await makeTempDir("delivery-sender")), concurrency: 3 });
    registerTeardown(() => outbox.close({ timeoutMs: 0 }));
    const events = await Promise.all(
      Array.from({ length: 40 }, (_, i) => outbox.enqueue({ userId: `u${i}`, eventId: "deposit", value: i, eventTags: ["vip"] })),
    );
    const revenues = await Promise.all(
      Array.from({ length: 40 }, (_, i) => outbox.enqueueRevenue({ revenue: i + 0.5, date: "2024-02-22 10:00:00" })),
    );
    await outbox.flush();
    expect(most).toBeLessThanOrEqual(3);
    const sent = server.requests.map((r) => ({ path: r.url, body: JSON.parse(r.body) as Record<string, unknown> }));
    expect(sent.filter((s) => s.path === "/api/v1/event").map((s) => s.body.id)).toEqual(expect.arrayContaining(events.map((e) => e.id)));
    expect(sent.filter((s) => s.path === "/api/v1/revenue").map((s) => s.body.requestId)).toEqual(
      expect.arrayContaining(revenues.map((r) => r.requestId)),
    );
    expect(sent).toHaveLength(80);
    expect(sent.find((s) => s.body.value === 7)?.body).toMatchObject({ userId: "u7", eventId: "deposit", value: 7, eventTags: ["vip"] });
    expect(outbox.stats().delivered).toBe(80);
  });

  it("refuses, before anything is stored, an object that is not a client made by createEnable3Client", () => {
    const fake = { sendEvents: async () => ({}), sendRevenues: async () => ({}) };
    expect(() => createOutbox(fake as never, { store: fileStore("./never-made"), deliver: false })).toThrow(Enable3ValidationError);
    expect(() => createOutbox(fake as never, { store: fileStore("./never-made"), deliver: false })).toThrow(/client/);
  });

  it("the client's way in is not part of its public shape: not an own enumerable key, not in JSON", () => {
    const client = clientFor("http://127.0.0.1:9");
    expect(Object.keys(client)).not.toContain(String(PREPARED_SENDS));
    expect(Object.getOwnPropertySymbols(client).includes(PREPARED_SENDS)).toBe(true);
    expect(Object.getOwnPropertyDescriptor(client, PREPARED_SENDS)?.enumerable).toBe(false);
  });
});

// The outbox's OpenTelemetry metrics, with the real SDK: read from stats() when the app collects
// (pending, in flight, dead, the oldest pending record's age, deliveries), and no longer once closed.
import { expect, it, vi } from "vitest";
import { openTelemetry } from "../../src/opentelemetry.js";
import { createOutbox, fileStore } from "../../src/outbox.js";
import { clientFor } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { testTelemetry } from "../helpers/opentelemetry.js";
import { registerTeardown } from "../helpers/teardown.js";
import { makeTempDir } from "../helpers/temp-dir.js";

it("reports pending, in-flight, dead and delivered records, and the oldest pending record's age, as the app collects", async () => {
  let release: (() => void) | undefined;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const server = await startScriptedServer(async (req, res) => {
    await held; // answers only once the test has read the metrics of a busy outbox
    if (JSON.parse(req.body).value === 2) reply(res, 400, { message: "no" });
    else reply(res, 201);
  });
  const telemetry = testTelemetry();
  const value = async (name: string) => (await telemetry.points(name)).map((p) => p.value);
  const dir = await makeTempDir("enable3-outbox-metrics");
  const outbox = createOutbox(clientFor(server.url), {
    store: fileStore(dir),
    concurrency: 1,
    telemetry: openTelemetry({ api: telemetry.api }),
  });
  registerTeardown(() => outbox.close({ timeoutMs: 0 }));
  for (const v of [1, 2, 3]) await outbox.enqueue({ userId: "secret-user", eventId: "deposit", value: v });
  await expect.poll(() => server.requests.length).toBe(1); // the first is in flight: the server holds its reply
  expect(await value("enable3.outbox.in_flight")).toEqual([1]);
  expect(await value("enable3.outbox.pending")).toEqual([2]);
  expect((await value("enable3.outbox.oldest_pending_age"))[0]).toBeGreaterThan(0);
  release!();
  await outbox.flush();
  expect(await value("enable3.outbox.pending")).toEqual([0]);
  expect(await value("enable3.outbox.dead")).toEqual([1]);
  expect(await value("enable3.outbox.delivered")).toEqual([2]);
  expect((await telemetry.points("enable3.outbox.pending"))[0]!.attributes["enable3.outbox.store"]).toContain(dir);
  await outbox.close();
  const stats = vi.spyOn(outbox, "stats");
  await telemetry.points("enable3.outbox.pending");
  expect(stats).not.toHaveBeenCalled(); // a closed outbox is no longer read
  expect(await telemetry.exported()).not.toContain("secret-user");
});

// A failed sendEvent or sendRevenue says which id it went with (or would have): the idempotency key
// the caller must reuse when resending, on every kind of failure, in toJSON() and in the onError hook.
import { describe, expect, it } from "vitest";
import { type Enable3Error, Enable3ValidationError } from "../../src/index.js";
import { clientFor } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable(),
    (e: unknown) => e as Enable3Error & { id?: string; requestId?: string },
  );

describe("ids on failures", () => {
  it("a sendEvent answered 503 carries the id it sent, in toJSON too, and the onError hook sees it", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 503, { message: "busy" }, { "x-request-id": "srv-1" }));
    const heard: unknown[] = [];
    const enable3 = clientFor(server.url, { hooks: { onError: ({ error }) => heard.push((error as { id?: string }).id) } });
    const error = await failureOf(enable3.sendEvent({ userId: "u1", eventId: "deposit", value: 5 }));
    const sent = JSON.parse(server.requests[0]!.body).id as string;
    expect(sent).toMatch(UUID);
    expect(error.id).toBe(sent);
    expect(error.requestId).toBeUndefined();
    expect(error.serverRequestId).toBe("srv-1");
    expect(error.toJSON()).toMatchObject({ id: sent, serverRequestId: "srv-1" });
    expect(heard).toEqual([sent]);
  });

  it("a sendRevenue answered 400 carries its requestId, apart from the server's request id", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 400, { message: "no" }, { "x-request-id": "srv-2" }));
    const error = await failureOf(clientFor(server.url).sendRevenue({ revenue: 10, requestId: "rev-7" }));
    expect(error.requestId).toBe("rev-7");
    expect(error.serverRequestId).toBe("srv-2");
    expect(error.id).toBeUndefined();
    expect(error.toJSON()).toMatchObject({ requestId: "rev-7", serverRequestId: "srv-2" });
  });

  it("a connection that fails carries the id that went out", async () => {
    const enable3 = clientFor("http://127.0.0.1:1");
    const error = await failureOf(enable3.sendEvent({ userId: "u1", eventId: "deposit", value: 5, id: "ev-1" }));
    expect(error.code).toBe("connection_failed");
    expect(error.id).toBe("ev-1");
  });

  it("bad input carries the id given (nothing was sent), and bad per-call options the id that would have been sent", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 200, {}));
    const enable3 = clientFor(server.url);
    const invalid = await failureOf(enable3.sendEvent({ userId: "u1", eventId: "deposit", value: Number.NaN, id: "ev-2" }));
    expect(invalid).toBeInstanceOf(Enable3ValidationError);
    expect(invalid.id).toBe("ev-2");
    expect(invalid.toJSON()).toMatchObject({ id: "ev-2", field: "event.value" });
    const revenue = await failureOf(enable3.sendRevenue({ revenue: 1, requestId: "rev-8" }, { timeoutMs: -1 }));
    expect(revenue).toBeInstanceOf(Enable3ValidationError);
    expect(revenue.requestId).toBe("rev-8");
    const generated = await failureOf(enable3.sendEvent({ userId: "u1", eventId: "deposit", value: 1 }, { timeoutMs: -1 }));
    expect(generated.id).toMatch(UUID);
    expect(server.requests).toEqual([]);
  });

  it("an id that is itself invalid is not echoed back as the id", async () => {
    const enable3 = clientFor("http://127.0.0.1:1");
    const error = await failureOf(enable3.sendEvent({ userId: "u1", eventId: "deposit", value: 1, id: " " }));
    expect(error.id).toBeUndefined();
  });
});

// Every method's promise also has .withResponse(): the data and what the response said (status,
// headers redacted as errors are, the server's request id, the attempts), from the one request made.
import { describe, expect, it } from "vitest";
import { Enable3ServerError } from "../../src/index.js";
import { clientFor, TEST_KEY } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";

const BALANCE = { balance: "12.5", userExists: true };

describe("withResponse()", () => {
  it("resolves to the data and the response: status, redacted headers, serverRequestId, attempts", async () => {
    const server = await startScriptedServer((_req, res) =>
      reply(res, 200, BALANCE, { "x-request-id": "srv-1", "x-echo": `key ${TEST_KEY}` }),
    );
    const { data, response } = await clientFor(server.url).getUserBalance("u1").withResponse();
    expect(data).toEqual(BALANCE);
    expect(response.status).toBe(200);
    expect(response.serverRequestId).toBe("srv-1");
    expect(response.attempts).toBe(1);
    expect(response.headers.get("x-request-id")).toBe("srv-1");
    expect(response.headers.get("x-echo")).toBe("key [redacted]");
    const all: string[] = [];
    response.headers.forEach((value, name) => {
      all.push(`${name}: ${value}`);
    });
    expect(all.join("\n")).not.toContain(TEST_KEY);
  });

  it("counts the attempts of a retried call, and gives each method's own data", async () => {
    const server = await startScriptedServer((_req, res, index) => (index === 0 ? reply(res, 503) : reply(res, 201)));
    const { data, response } = await clientFor(server.url, { maxRetries: 1, initialDelayMs: 1 })
      .sendEvent({ userId: "u1", eventId: "deposit", value: 5, id: "ev-1" })
      .withResponse();
    expect(data).toEqual({ id: "ev-1" });
    expect(response).toMatchObject({ status: 201, attempts: 2, serverRequestId: undefined });
  });

  it("one request whether the promise is awaited, asked withResponse(), or both", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 200, BALANCE));
    const promise = clientFor(server.url).getUserBalance("u1");
    expect(await promise).toEqual(BALANCE);
    expect((await promise.withResponse()).response.status).toBe(200);
    await clientFor(server.url)
      .assignSegments([{ userId: "u1", segmentIds: ["vip"] }])
      .withResponse();
    expect(server.requests).toHaveLength(2);
  });

  it("a failed call rejects withResponse() with its typed error", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 500, { message: "down" }));
    await expect(clientFor(server.url).getUserBalance("u1").withResponse()).rejects.toBeInstanceOf(Enable3ServerError);
  });
});

// HTTP failures surface as typed errors with what a user needs to act, whatever the body looks like.

import { inspect } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import {
  Enable3ApiError,
  Enable3AuthenticationError,
  Enable3BadRequestError,
  Enable3ConflictError,
  Enable3Error,
  Enable3InvalidResponseError,
  Enable3NotFoundError,
  Enable3PermissionError,
  Enable3RateLimitError,
  Enable3ServerError,
  Enable3UnprocessableEntityError,
  Enable3ValidationError,
} from "../../src/index.js";
import { clientFor, TEST_KEY } from "../helpers/client.js";
import { reply, type ScriptedServer, startScriptedServer } from "../helpers/http-server.js";

let server: ScriptedServer;
let answer: (res: Parameters<typeof reply>[0]) => void;
beforeAll(async () => {
  server = await startScriptedServer((_req, res) => answer(res));
});

async function failure(status: number, body?: string | object, headers?: Record<string, string>) {
  answer = (res) => reply(res, status, body, headers);
  return clientFor(server.url)
    .getUserBalance("u1")
    .then(
      () => expect.unreachable(),
      (e: unknown) => e as Enable3ApiError,
    );
}

describe("HTTP errors", () => {
  it.each([
    [400, Enable3BadRequestError],
    [401, Enable3AuthenticationError],
    [403, Enable3PermissionError],
    [404, Enable3NotFoundError],
    [409, Enable3ConflictError],
    [422, Enable3UnprocessableEntityError],
    [429, Enable3RateLimitError],
    [500, Enable3ServerError],
    [503, Enable3ServerError],
    [418, Enable3ApiError],
  ])("HTTP %i is a %o", async (status, ErrorClass) => {
    const error = await failure(status, { message: "nope" });
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toBeInstanceOf(Enable3Error);
    expect(error.status).toBe(status);
    expect(error.operation).toBe("getUserBalance");
    expect(error.method).toBe("GET");
    expect(error.path).toBe("/api/v1/integration/user/u1/balance");
    expect(error.attempts).toBe(1);
    expect(error.body).toEqual({ message: "nope" });
  });

  it("keeps a text or HTML body as text and an empty one as undefined", async () => {
    expect((await failure(502, "<html><body>Bad Gateway</body></html>", { "content-type": "text/html" })).body).toBe(
      "<html><body>Bad Gateway</body></html>",
    );
    expect((await failure(500, "")).body).toBeUndefined();
    expect((await failure(400, "plain words")).body).toBe("plain words");
  });

  it("hints at the IP allow-list on 401 and 403", async () => {
    expect((await failure(403)).message).toMatch(/allow-listed/);
    expect((await failure(401)).message).toMatch(/allow-listed/);
  });

  it("carries the request id header", async () => {
    expect((await failure(500, "", { "x-request-id": "req-42" })).serverRequestId).toBe("req-42");
  });

  it("marks retryable statuses", async () => {
    expect((await failure(503)).retryable).toBe(true);
    expect((await failure(429)).retryable).toBe(true);
    expect((await failure(400)).retryable).toBe(false);
  });

  it("never shows the key, even when the server echoes it", async () => {
    const error = await failure(401, { error: `bad key ${TEST_KEY}` });
    for (const text of [error.message, String(error), JSON.stringify(error), inspect(error, { depth: 5 }), error.stack ?? ""]) {
      expect(text).not.toContain(TEST_KEY);
    }
    expect(error.body).toEqual({ error: "bad key [redacted]" });
  });
});

describe("2xx bodies that break the spec", () => {
  it("malformed JSON is an Enable3InvalidResponseError", async () => {
    answer = (res) => reply(res, 200, "{not json", { "content-type": "application/json" });
    const error = await clientFor(server.url)
      .getUserBalance("u1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3InvalidResponseError);
    expect((error as Enable3InvalidResponseError).body).toBe("{not json");
  });

  it("names its method and path like every other error", async () => {
    answer = (res) => reply(res, 200, { balance: 0.1, userExists: true });
    const error = (await clientFor(server.url)
      .getUserBalance("u1")
      .catch((e: unknown) => e)) as Enable3InvalidResponseError;
    expect(error.method).toBe("GET");
    expect(error.path).toBe("/api/v1/integration/user/u1/balance");
    expect(error.message).toContain("getUserBalance GET /api/v1/integration/user/u1/balance answered HTTP 200");
    expect(error.toJSON()).toMatchObject({ method: "GET", path: "/api/v1/integration/user/u1/balance" });
  });

  it("a balance sent as a JSON number is refused rather than turned into a float", async () => {
    answer = (res) => reply(res, 200, { balance: 0.1, userExists: true });
    await expect(clientFor(server.url).getUserBalance("u1")).rejects.toBeInstanceOf(Enable3InvalidResponseError);
  });

  it("an empty 200 for the widget is refused", async () => {
    answer = (res) => reply(res, 200);
    await expect(clientFor(server.url).getWidgetUrl("u1")).rejects.toBeInstanceOf(Enable3InvalidResponseError);
  });
});

describe("error details", () => {
  it("toJSON lists the fields of each class, never the stack or the cause", async () => {
    const json = (await failure(404, { message: "no such user" })).toJSON();
    expect(Object.keys(json).sort()).toEqual(
      ["attempts", "body", "code", "message", "method", "name", "operation", "path", "retryable", "status"].sort(),
    );
    expect(new Enable3ValidationError("events[0].value", "must be a number").toJSON()).toEqual({
      name: "Enable3ValidationError",
      code: "validation_failed",
      message: "events[0].value must be a number",
      field: "events[0].value",
      fieldPath: ["events", 0, "value"],
      retryable: false,
    });
  });
});

describe("the API's own reason in the message", () => {
  it("quotes the body's message, redacted and cut to about 200 characters", async () => {
    const error = await failure(400, { message: `eventId "depositt" is not configured for ${TEST_KEY}` });
    expect(error.message).toBe(
      `getUserBalance GET /api/v1/integration/user/u1/balance failed with HTTP 400: eventId "depositt" is not configured for [redacted]`,
    );
    const long = await failure(422, { error: "x".repeat(5000) });
    expect(long.message.length).toBeLessThan(400);
    expect(long.message).toMatch(/: x+…$/);
  });

  it("quotes a short text body, never an HTML page", async () => {
    expect((await failure(503, "upstream busy")).message).toMatch(/HTTP 503: upstream busy$/);
    expect((await failure(502, "<html><body>Bad gateway</body></html>", { "content-type": "text/html" })).message).toMatch(/HTTP 502$/);
  });
});

describe("addWebsites", () => {
  it("a 409 on a retry means the first attempt registered them: resolved, and said so", async () => {
    let n = 0;
    answer = (res) => (++n === 1 ? res.destroy() : reply(res, 409, { message: "duplicate" }));
    const enable3 = clientFor(server.url, { maxRetries: 2, initialDelayMs: 1 });
    await expect(enable3.addWebsites(["https://casino.example"])).resolves.toEqual({
      websites: ["https://casino.example"],
      registeredByEarlierAttempt: true,
    });
  });

  it("a 409 on the first attempt is still a conflict", async () => {
    answer = (res) => reply(res, 409, { message: "duplicate" });
    await expect(clientFor(server.url, { maxRetries: 2 }).addWebsites(["https://casino.example"])).rejects.toBeInstanceOf(
      Enable3ConflictError,
    );
  });

  it("a first-time registration says so", async () => {
    answer = (res) => reply(res, 201);
    await expect(clientFor(server.url).addWebsites(["https://casino.example"])).resolves.toEqual({
      websites: ["https://casino.example"],
      registeredByEarlierAttempt: false,
    });
  });
});

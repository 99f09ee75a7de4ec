// The SDK's own calls hand openapi-fetch plain request/response objects instead of WHATWG ones
// (client/openapi-adapter.ts). That relies on what openapi-fetch, pinned exactly in package.json,
// reads from them: this test records every member it touches and fails the day it reads one they lack.
import createClient, { createQuerySerializer } from "openapi-fetch";
import { describe, expect, it } from "vitest";
import { createOpenApiClients, PlainRequest, PlainResponse } from "../../src/client/openapi-adapter.js";
import type { paths } from "../../src/generated/enable3.js";
import type { CallSettings, OutgoingRequest } from "../../src/transport/contract.js";

const answer = (status: number, body: string, headers = new Headers({ "content-type": "application/json" })) =>
  new PlainResponse({ status, statusText: "", headers, body: new TextEncoder().encode(body) });

const touched = { request: new Set<string | symbol>(), response: new Set<string | symbol>() };
const missing: string[] = [];

function recording<T extends object>(target: T, kind: "request" | "response"): T {
  return new Proxy(target, {
    get(object, prop, receiver) {
      if (prop === "then") return undefined; // a promise resolving to this object asks; openapi-fetch does not
      touched[kind].add(prop);
      if (!(prop in object)) missing.push(`${kind}.${String(prop)}`);
      const value = Reflect.get(object, prop, receiver);
      return typeof value === "function" ? value.bind(object) : value;
    },
  });
}

class RecordingRequest extends PlainRequest {
  constructor(input: string | URL, init?: RequestInit) {
    super(input, init);
    // biome-ignore lint/correctness/noConstructorReturn: the instance openapi-fetch gets must be the recording proxy
    return recording(this, "request");
  }
}

function clientAnswering(status: number, body: string) {
  const api = createClient<paths>({ baseUrl: "http://127.0.0.1:1", querySerializer: createQuerySerializer() });
  const fetch = (async (input: unknown) => {
    expect(input).toBeInstanceOf(PlainRequest); // the request reaches the transport as built
    return recording(answer(status, body), "response");
  }) as unknown as typeof globalThis.fetch;
  return {
    api,
    init: { fetch, Request: RecordingRequest as unknown as typeof Request, headers: { "X-API-KEY": "k" }, parseAs: "text" as const },
  };
}

describe("openapi-fetch and the plain carriers", () => {
  it("reads only members they have, for every kind of call the methods make", async () => {
    // this test's own record: another test's use of the carriers must not count
    touched.request.clear();
    touched.response.clear();
    missing.length = 0;
    const ok = clientAnswering(200, '{"balance":"1","userExists":true}');
    await ok.api.GET("/api/v1/integration/user/{operatorUserId}/widget", {
      params: { path: { operatorUserId: "u 1" }, query: { referralCode: "R" } },
      ...ok.init,
    });
    await ok.api.POST("/api/v1/event", {
      body: { id: "e", userId: "u", eventId: "d", value: 1, createdAt: "2024-02-22 10:00:00" },
      ...ok.init,
    });
    await ok.api.DELETE("/api/v1/segment/users", { body: [{ userId: "u", segmentIds: ["s"] }], ...ok.init });
    const empty = clientAnswering(201, "");
    await empty.api.POST("/api/v1/revenue", { body: { requestId: "r", revenue: 1, date: "2024-02-22 10:00:00" }, ...empty.init });
    const failed = clientAnswering(404, '{"message":"no"}');
    const result = await failed.api.GET("/api/v1/integration/user/{operatorUserId}/balance", {
      params: { path: { operatorUserId: "u" } },
      ...failed.init,
    });
    expect(result.error).toEqual({ message: "no" });
    expect(missing).toEqual([]);
    expect(touched.response.has("text")).toBe(true); // the recording really saw openapi-fetch at work
    expect(touched.request.size).toBeGreaterThan(0);
  });

  it("a plain request carries the URL, method, headers and body openapi-fetch built", async () => {
    const { api, init } = clientAnswering(201, "");
    let seen: PlainRequest | undefined;
    await api.POST("/api/v1/event", {
      body: { id: "e", userId: "u", eventId: "d", value: 1, createdAt: "2024-02-22 10:00:00" },
      ...init,
      fetch: (async (input: PlainRequest) => {
        seen = input;
        return answer(201, "", new Headers());
      }) as unknown as typeof fetch,
    });
    expect(seen).toMatchObject({ url: "http://127.0.0.1:1/api/v1/event", method: "POST", redirect: "error" });
    expect((seen!.headers as Headers).get("x-api-key")).toBe("k");
    expect(JSON.parse(String(seen!.body))).toMatchObject({ id: "e" });
  });
});

describe("the adapter", () => {
  const settings: CallSettings = {
    timeoutMs: 1,
    deadlineMs: 1,
    maxResponseBytes: 1,
    maxRetries: 0,
    initialDelayMs: 1,
    maxDelayMs: 1,
    maxRetryAfterMs: 1,
    retryOnStatus: [],
  };

  it("runs a method's call with the call's headers, and answers with the status, headers and body text sent back", async () => {
    const sent: OutgoingRequest[] = [];
    const { run } = createOpenApiClients(
      { baseUrl: "http://127.0.0.1:1/base", headers: { "X-API-KEY": "k" } },
      async (request) => {
        sent.push(request);
        return {
          status: 404,
          statusText: "Not Found",
          headers: new Headers({ "x-request-id": "r1" }),
          body: new TextEncoder().encode('{"message":"no"}'),
        };
      },
      settings,
      (value) => value,
    );
    const ctx = { operation: "getUserBalance", settings: { ...settings, headers: { "x-extra": "1" } }, attempts: 0 };
    const { response: result } = await run(ctx, (api, init) =>
      api.GET("/api/v1/integration/user/{operatorUserId}/balance", { params: { path: { operatorUserId: "a b" } }, ...init }),
    );
    expect(result).toMatchObject({ status: 404, ok: false, bodyText: '{"message":"no"}' });
    expect(result.headers.get("x-request-id")).toBe("r1");
    expect(sent[0]).toBeInstanceOf(PlainRequest);
    expect(sent[0]).toMatchObject({
      url: "http://127.0.0.1:1/base/api/v1/integration/user/a%20b/balance",
      method: "GET",
      redirect: "error",
    });
    const written: [string, string][] = [];
    sent[0]!.headers.forEach((value, name) => {
      written.push([name, value]);
    });
    expect(written).toEqual([
      ["x-api-key", "k"],
      ["x-extra", "1"],
    ]);
  });

  it("raw calls get real Request and Response objects over the same send", async () => {
    const { raw } = createOpenApiClients(
      { baseUrl: "http://127.0.0.1:1", headers: { "X-API-KEY": "k" } },
      async (request, ctx) => {
        expect(ctx.operation).toBe("raw");
        expect(request.redirect).toBe("error");
        return {
          status: 200,
          statusText: "OK",
          headers: new Headers({ "content-type": "application/json" }),
          body: new TextEncoder().encode('{"balance":"1","userExists":true}'),
        };
      },
      settings,
      (value) => value,
    );
    const { data, response } = await raw.GET("/api/v1/integration/user/{operatorUserId}/balance", {
      params: { path: { operatorUserId: "u" } },
    });
    expect(response).toBeInstanceOf(Response);
    expect(data).toEqual({ balance: "1", userExists: true });
  });
});

// Every operation through the SDK against Prism on the merged spec, with request validation on
// (--errors): a call the spec does not allow would come back as an error, never as a 2xx.
import { afterEach, describe, expect, inject, it } from "vitest";
import {
  createEnable3Client,
  Enable3AuthenticationError,
  Enable3BadRequestError,
  Enable3ConflictError,
  Enable3NotFoundError,
  Enable3PermissionError,
} from "../../src/index.js";
import { TEST_KEY } from "../helpers/client.js";

const baseUrl = inject("prismUrl");

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Records each request body sent, and Prism's `sl-violations` header, set whenever a request breaks the spec. */
function recorder() {
  const violations: string[] = [];
  const bodies: unknown[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    if (typeof init?.body === "string") bodies.push(JSON.parse(init.body));
    const response = await globalThis.fetch(input, init);
    const v = response.headers.get("sl-violations");
    if (v) violations.push(v);
    return response;
  };
  return { violations, bodies, fetch };
}

describe("contract: the SDK's requests satisfy the spec", () => {
  const { violations, bodies, fetch } = recorder();
  const enable3 = createEnable3Client({ apiKey: TEST_KEY, baseUrl, fetch, maxRetries: 0 });
  // every test checks its own requests, so each one means something when run alone
  afterEach(() => {
    expect(violations.splice(0)).toEqual([]);
    bodies.length = 0;
  });

  it("sendEvent", async () => {
    const { id } = await enable3.sendEvent({ userId: "u1", eventId: "deposit", value: 25, eventTags: ["slots"], createdAt: new Date() });
    expect(id).toMatch(UUID);
    expect(bodies).toEqual([expect.objectContaining({ id, userId: "u1", eventId: "deposit", value: 25, eventTags: ["slots"] })]);
  });
  it("sendEvent with the caller's id sends and returns that id", async () => {
    const { id } = await enable3.sendEvent({ id: "evt-caller-7", userId: "u1", eventId: "deposit", value: 1 });
    expect(id).toBe("evt-caller-7");
    expect(bodies).toEqual([expect.objectContaining({ id: "evt-caller-7" })]);
  });
  it("getWidgetUrl", async () => {
    expect((await enable3.getWidgetUrl("u1", { referralCode: "FRIEND10" })).url).toBeTypeOf("string");
  });
  it("getUserToken", async () => {
    expect((await enable3.getUserToken("u1")).token).toBeTypeOf("string");
  });
  it("sendRevenue", async () => {
    const { requestId } = await enable3.sendRevenue({ revenue: 1250.5 });
    expect(requestId).toMatch(UUID);
    expect(bodies).toEqual([expect.objectContaining({ requestId, revenue: 1250.5 })]);
  });
  it("assignSegments", async () => {
    await expect(enable3.assignSegments([{ userId: "u1", segmentIds: ["vip"] }])).resolves.toBeUndefined();
  });
  it("removeSegments", async () => {
    await expect(enable3.removeSegments([{ userId: "u1", segmentIds: ["vip"] }])).resolves.toBeUndefined();
  });
  it("getUserBalance", async () => {
    const balance = await enable3.getUserBalance("u1");
    expect(balance.balance).toBeTypeOf("string");
    expect(balance.userExists).toBeTypeOf("boolean");
  });
  it("addWebsites", async () => {
    await expect(enable3.addWebsites(["https://casino.example"])).resolves.toEqual({
      websites: ["https://casino.example"],
      registeredByEarlierAttempt: false,
    });
  });
});

describe("contract: Prism rejects what breaks the spec, so the passes above mean something", () => {
  it("a body missing required fields is refused", async () => {
    const enable3 = createEnable3Client({ apiKey: TEST_KEY, baseUrl, maxRetries: 0 });
    const { response } = await enable3.raw.POST("/api/v1/event", { body: { id: "x" } as never, parseAs: "text" });
    expect(response.status).toBe(400);
    expect(response.headers.get("sl-violations")).toMatch(/userId/);
  });

  it("a missing key is a security failure", async () => {
    const enable3 = createEnable3Client({ apiKey: TEST_KEY, baseUrl, maxRetries: 0 });
    const { response } = await enable3.raw.GET("/api/v1/integration/user/{operatorUserId}/balance", {
      params: { path: { operatorUserId: "u1" } },
      headers: { "X-API-KEY": null },
      parseAs: "text",
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("sl-violations")).toMatch(/security/i);
  });
});

describe("contract: documented error statuses surface as typed errors", () => {
  const enable3 = createEnable3Client({ apiKey: TEST_KEY, baseUrl, maxRetries: 0 });
  const prefer = (code: number) => ({ headers: { Prefer: `code=${code}` } });

  it.each([
    ["sendEvent 400", () => enable3.sendEvent({ userId: "u1", eventId: "e", value: 1 }, prefer(400)), Enable3BadRequestError],
    ["sendEvent 404", () => enable3.sendEvent({ userId: "u1", eventId: "e", value: 1 }, prefer(404)), Enable3NotFoundError],
    ["getWidgetUrl 403", () => enable3.getWidgetUrl("u1", prefer(403)), Enable3PermissionError],
    ["getWidgetUrl 409", () => enable3.getWidgetUrl("u1", prefer(409)), Enable3ConflictError],
    ["getUserToken 401", () => enable3.getUserToken("u1", prefer(401)), Enable3AuthenticationError],
    ["sendRevenue 400", () => enable3.sendRevenue({ revenue: 1 }, prefer(400)), Enable3BadRequestError],
    ["assignSegments 404", () => enable3.assignSegments([{ userId: "u", segmentIds: ["s"] }], prefer(404)), Enable3NotFoundError],
    ["removeSegments 403", () => enable3.removeSegments([{ userId: "u", segmentIds: ["s"] }], prefer(403)), Enable3PermissionError],
    ["getUserBalance 404", () => enable3.getUserBalance("u1", prefer(404)), Enable3NotFoundError],
    ["addWebsites 409", () => enable3.addWebsites(["https://casino.example"], prefer(409)), Enable3ConflictError],
  ] as const)("%s", async (_name, run, ErrorClass) => {
    const error = await run().then(
      () => expect.unreachable(),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ErrorClass);
  });

  it("an invalid key on a missing-key check surfaces as Enable3AuthenticationError", async () => {
    // the SDK refuses an X-API-KEY in headers, so the empty key is put on the wire by the fetch it is given
    const emptyKey = (async (input: string | URL | Request, init?: RequestInit) => {
      const headers = new Headers(init?.headers);
      headers.set("X-API-KEY", "");
      return globalThis.fetch(input, { ...init, headers });
    }) as typeof globalThis.fetch;
    const keyless = createEnable3Client({ apiKey: TEST_KEY, baseUrl, maxRetries: 0, fetch: emptyKey });
    const error = await keyless.getUserBalance("u1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3AuthenticationError);
  });
});

describe("contract: the mock refuses the dates the SDK refuses", () => {
  const raw = createEnable3Client({ apiKey: TEST_KEY, baseUrl, maxRetries: 0 }).raw;
  const event = (createdAt: string) =>
    raw.POST("/api/v1/event", { body: { id: "e1", userId: "u1", eventId: "deposit", value: 1, createdAt } });
  const revenue = (date: string) => raw.POST("/api/v1/revenue", { body: { requestId: "r1", revenue: 1, date } });

  it.each(["yesterday", "2024-02-22T10:00:00Z", "2024-02-22", "2024-13-01 10:00:00", "2024-04-31 10:00:00", "2024-02-22 24:00:00"])(
    "%j is refused as createdAt and as date",
    async (text) => {
      expect((await event(text)).response.status).toBe(400);
      expect((await revenue(text)).response.status).toBe(400);
    },
  );

  it("yyyy-MM-dd HH:mm:ss is accepted", async () => {
    expect((await event("2024-02-22 10:00:00")).response.status).toBe(201);
    expect((await revenue("2024-12-31 23:59:59")).response.status).toBe(200);
  });
});

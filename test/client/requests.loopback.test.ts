// What the SDK actually puts on the wire, checked on a real HTTP server over loopback.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { Enable3AbortError, Enable3ConnectionError, Enable3Error } from "../../src/index.js";
import { clientFor, TEST_KEY } from "../helpers/client.js";
import { reply, type ScriptedServer, startScriptedServer } from "../helpers/http-server.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const API_DATE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

let server: ScriptedServer;
let target: ScriptedServer; // where redirects point
beforeAll(async () => {
  target = await startScriptedServer((_req, res) => reply(res, 200, { balance: "1", userExists: true }));
  server = await startScriptedServer((req, res) => {
    if (req.url.includes("/slow/")) return; // never answers
    const moved = /moved-(\d+)/.exec(req.url);
    if (moved) {
      res.writeHead(Number(moved[1]), { location: `${target.url}${req.url.replace("moved", "was-moved")}` });
      return void res.end();
    }
    if (req.url.includes("/widget")) return reply(res, 200, { url: "https://widget.example/?t=abc" });
    if (req.url.includes("/token")) return reply(res, 200, { token: "a.b.c" });
    if (req.url.includes("/balance")) return reply(res, 200, { balance: "12.345678901234567890", userExists: true });
    reply(res, req.method === "POST" ? 201 : 200);
  });
});
const last = () => server.requests.at(-1)!;

describe("requests on the wire", () => {
  it("sendEvent generates an id, formats a Date in UTC and sends the key", async () => {
    const enable3 = clientFor(server.url);
    const { id } = await enable3.sendEvent({
      userId: "u1",
      eventId: "deposit",
      value: 50,
      createdAt: new Date("2024-02-22T10:00:00Z"),
      eventTags: ["slots"],
    });
    expect(id).toMatch(UUID);
    expect(last().method).toBe("POST");
    expect(last().url).toBe("/api/v1/event");
    expect(last().headers["x-api-key"]).toBe(TEST_KEY);
    expect(last().headers["content-type"]).toBe("application/json");
    expect(JSON.parse(last().body)).toEqual({
      id,
      userId: "u1",
      eventId: "deposit",
      value: 50,
      createdAt: "2024-02-22 10:00:00",
      eventTags: ["slots"],
    });
  });

  it("sendEvent keeps the caller's id and string date, and defaults createdAt to now", async () => {
    const enable3 = clientFor(server.url);
    expect(await enable3.sendEvent({ id: "evt-1", userId: "u1", eventId: "e", value: 1, createdAt: "2024-02-22 10:00:00" })).toEqual({
      id: "evt-1",
    });
    expect(JSON.parse(last().body).createdAt).toBe("2024-02-22 10:00:00");
    await enable3.sendEvent({ userId: "u1", eventId: "e", value: 1 });
    const sent = JSON.parse(last().body);
    expect(sent.createdAt).toMatch(API_DATE);
    expect(Math.abs(Date.parse(`${sent.createdAt.replace(" ", "T")}Z`) - Date.now())).toBeLessThan(60_000);
    expect(sent).not.toHaveProperty("eventTags");
  });

  it("sendRevenue generates a requestId and returns it", async () => {
    const { requestId } = await clientFor(server.url).sendRevenue({ revenue: 1250.5, date: new Date("2024-02-22T10:00:00Z") });
    expect(requestId).toMatch(UUID);
    expect(JSON.parse(last().body)).toEqual({ requestId, revenue: 1250.5, date: "2024-02-22 10:00:00" });
  });

  it("getWidgetUrl sends the referral code and passes deep-link params through untouched", async () => {
    const result = await clientFor(server.url).getWidgetUrl("u1", { referralCode: "FRIEND 10", params: { section: "shop", "x-y": "1/2" } });
    expect(result.url).toBe("https://widget.example/?t=abc");
    const url = new URL(last().url, server.url);
    expect(url.pathname).toBe("/api/v1/integration/user/u1/widget");
    expect(Object.fromEntries(url.searchParams)).toEqual({ referralCode: "FRIEND 10", section: "shop", "x-y": "1/2" });
  });

  it("encodes a path parameter as one segment", async () => {
    await clientFor(server.url).getUserBalance("a/../b?x#y");
    expect(last().url).toBe("/api/v1/integration/user/a%2F..%2Fb%3Fx%23y/balance");
  });

  it("getUserBalance keeps the decimal string as sent", async () => {
    expect(await clientFor(server.url).getUserBalance("u1")).toEqual({ balance: "12.345678901234567890", userExists: true });
  });

  it("segments use POST with the trailing slash and DELETE with a body", async () => {
    const enable3 = clientFor(server.url);
    const body = [{ userId: "u1", segmentIds: ["vip", "whale"] }];
    await enable3.assignSegments(body);
    expect([last().method, last().url, JSON.parse(last().body)]).toEqual(["POST", "/api/v1/segment/users/", body]);
    await enable3.removeSegments(body);
    expect([last().method, last().url, JSON.parse(last().body)]).toEqual(["DELETE", "/api/v1/segment/users", body]);
  });

  it("addWebsites sends the list", async () => {
    await clientFor(server.url).addWebsites(["https://casino.example"]);
    expect(JSON.parse(last().body)).toEqual({ websites: ["https://casino.example"] });
  });

  it("sends per-call and client headers", async () => {
    const enable3 = clientFor(server.url, { headers: { "X-Client": "a" } });
    await enable3.getUserToken("u1", { headers: { "X-Trace": "t-1" } });
    expect(last().headers["x-client"]).toBe("a");
    expect(last().headers["x-trace"]).toBe("t-1");
    expect(last().headers["x-api-key"]).toBe(TEST_KEY);
  });

  it("a call's header replaces the client's of the same name; the client's Content-Type replaces a body's default, a call's replaces both", async () => {
    const enable3 = clientFor(server.url, { headers: { "X-Client": "a", "X-Tenant": "t1", "Content-Type": "application/vnd.x+json" } });
    await enable3.sendEvent({ userId: "u1", eventId: "deposit", value: 1 }, { headers: { "x-tenant": "t2" } });
    expect(last().headers).toMatchObject({ "x-client": "a", "x-tenant": "t2", "content-type": "application/vnd.x+json" });
    await enable3.sendEvent({ userId: "u1", eventId: "deposit", value: 1 }, { headers: { "content-type": "application/json" } });
    expect(last().headers).toMatchObject({ "x-tenant": "t1", "content-type": "application/json" });
    await enable3.getUserBalance("u1");
    expect(last().headers).toMatchObject({ "x-client": "a", "x-tenant": "t1" });
  });

  it("sends User-Agent: enable3-client/<package.json's version> (node <version>; <platform>), on methods and raw alike", async () => {
    const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    const expected = `enable3-client/${version} (node ${process.versions.node}; ${process.platform})`;
    const enable3 = clientFor(server.url);
    await enable3.getUserBalance("u1");
    expect(last().headers["user-agent"]).toBe(expected);
    await enable3.raw.GET("/api/v1/integration/user/{operatorUserId}/balance", { params: { path: { operatorUserId: "u1" } } });
    expect(last().headers["user-agent"]).toBe(expected);
  });

  it("the userAgent option replaces it; User-Agent in headers is refused, pointing at the option", async () => {
    await clientFor(server.url, { userAgent: "casino-backend/7 enable3-client" }).getUserBalance("u1");
    expect(last().headers["user-agent"]).toBe("casino-backend/7 enable3-client");
    expect(() => clientFor(server.url, { headers: { "user-agent": "x" } })).toThrow(/options\.headers\.user-agent .*userAgent/);
    expect(() => clientFor(server.url, { userAgent: "a\nb" })).toThrow(Enable3Error);
    const count = server.requests.length;
    await expect(clientFor(server.url).getUserBalance("u1", { headers: { "User-Agent": "x" } })).rejects.toThrow(/userAgent/);
    expect(server.requests).toHaveLength(count);
  });

  it("stops on the caller's AbortSignal", async () => {
    const enable3 = clientFor(server.url);
    const controller = new AbortController();
    const call = enable3.getUserBalance("slow", { signal: controller.signal });
    const aborted = (async () => {
      const before = server.requests.length;
      while (server.requests.length === before) await new Promise((r) => setTimeout(r, 5));
      controller.abort();
    })();
    await aborted;
    await expect(call).rejects.toBeInstanceOf(Enable3AbortError);
    const already = AbortSignal.abort();
    await expect(enable3.getUserBalance("u1", { signal: already })).rejects.toBeInstanceOf(Enable3AbortError);
  });

  it("never follows a redirect, so the key goes nowhere else, and does not retry it", async () => {
    const enable3 = clientFor(server.url, { maxRetries: 2 });
    const reachedBefore = target.requests.length; // other tests may follow redirects on purpose
    for (const status of [301, 302, 307, 308]) {
      const before = server.requests.length;
      const error = await enable3.getUserBalance(`moved-${status}`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Enable3Error);
      expect(error).not.toBeInstanceOf(Enable3ConnectionError);
      expect((error as Enable3Error).message).toMatch(/redirect.*check baseUrl/);
      expect((error as Enable3Error).retryable).toBe(false);
      expect(server.requests.length - before).toBe(1);
    }
    expect(target.requests.length).toBe(reachedBefore);
  });

  it("raw calls do not follow redirects either, unless a call asks", async () => {
    const { raw } = clientFor(server.url);
    const params = { path: { operatorUserId: "moved-307" } };
    const reachedBefore = target.requests.length;
    await expect(raw.GET("/api/v1/integration/user/{operatorUserId}/balance", { params })).rejects.toThrow(/redirect/);
    expect(target.requests.length).toBe(reachedBefore);
    const { data } = await raw.GET("/api/v1/integration/user/{operatorUserId}/balance", { params, redirect: "follow" });
    expect(data).toEqual({ balance: "1", userExists: true });
    expect(target.requests.slice(reachedBefore).map((r) => r.url)).toEqual(["/api/v1/integration/user/was-moved-307/balance"]);
  });
});

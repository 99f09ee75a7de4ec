// Widget URL and SDK token: the embedded token and its expiry.
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { Enable3InvalidResponseError, WIDGET_URL_LIFETIME_MS } from "../../src/index.js";
import { decodeJwtPayload, jwtExpiry } from "../../src/internal/jwt.js";
import { clientFor } from "../helpers/client.js";
import { reply, type ScriptedServer, startScriptedServer } from "../helpers/http-server.js";
import { fakeJwt } from "../helpers/jwt.js";

const exp = Math.floor(Date.UTC(2030, 0, 1) / 1000);
let server: ScriptedServer;
let body: Record<string, unknown>;
beforeAll(async () => {
  server = await startScriptedServer((_req, res) => reply(res, 200, body));
});
afterEach(() => vi.useRealTimers());

describe("getWidgetUrl", () => {
  it("takes expiresAt from the JWT embedded in the URL", async () => {
    const token = fakeJwt({ sub: "u1", exp });
    body = { url: `https://widget.enable3.io/app?lang=en&token=${token}` };
    const widget = await clientFor(server.url).getWidgetUrl("u1");
    expect(widget).toEqual({ url: body.url, token, expiresAt: new Date(exp * 1000) });
  });

  it("finds a JWT in the fragment too", async () => {
    const token = fakeJwt({ exp });
    body = { url: `https://widget.enable3.io/#t=${token}` };
    expect((await clientFor(server.url).getWidgetUrl("u1")).expiresAt).toEqual(new Date(exp * 1000));
  });

  it("falls back to one day after the response when the URL carries no readable JWT", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: Date.UTC(2026, 10, 23, 12) });
    body = { url: "https://widget.enable3.io/app?token=opaque-value" };
    const widget = await clientFor(server.url).getWidgetUrl("u1");
    expect(widget.expiresAt).toEqual(new Date(Date.UTC(2026, 10, 23, 12) + WIDGET_URL_LIFETIME_MS));
    expect(widget).not.toHaveProperty("token");
  });
});

describe("getUserToken", () => {
  it("reads expiresAt from the token's exp without verifying it", async () => {
    const token = fakeJwt({ exp });
    body = { token };
    expect(await clientFor(server.url).getUserToken("u1")).toEqual({ token, expiresAt: new Date(exp * 1000) });
  });

  it("leaves expiresAt out when the token has none", async () => {
    body = { token: "not-a-jwt" };
    expect(await clientFor(server.url).getUserToken("u1")).toEqual({ token: "not-a-jwt" });
  });
});

describe("JWT decoding", () => {
  it("decodes base64url payloads, unicode included", () => {
    expect(decodeJwtPayload(fakeJwt({ name: "Zoë 🎰", exp: 1 }))).toEqual({ name: "Zoë 🎰", exp: 1 });
  });
  it("refuses what is not a JWT", () => {
    for (const text of ["", "a.b", "a.b.c.d", "!!.??.xx", `${Buffer.from("[]").toString("base64url")}.e30.x`, "e30.bm90IGpzb24.x"]) {
      expect(decodeJwtPayload(text)).toBeUndefined();
    }
    expect(jwtExpiry(fakeJwt({ exp: "tomorrow" }))).toBeUndefined();
  });
});

describe("answers the SDK must not pass on", () => {
  it("an exp too far out for a Date gives no expiry rather than an Invalid Date", async () => {
    body = { token: fakeJwt({ exp: 1e15 }) };
    const token = await clientFor(server.url).getUserToken("u1");
    expect(token.expiresAt).toBeUndefined();
    body = { url: `https://widget.example/?token=${fakeJwt({ exp: 1e15 })}` };
    const widget = await clientFor(server.url).getWidgetUrl("u1");
    expect(Number.isNaN(widget.expiresAt.getTime())).toBe(false);
  });

  it.each([
    ["balance", { balance: "lots", userExists: true }],
    ["balance", { balance: "", userExists: true }],
    ["balance", { balance: "1e309", userExists: true }],
    ["balance", { balance: "12.", userExists: true }],
    ["widget", { url: "javascript:alert(1)" }],
    ["widget", { url: "/not/absolute" }],
    ["widget", { url: "ftp://widget.example/" }],
    ["token", { token: "   " }],
  ] as const)("a %s answer of %j is an Enable3InvalidResponseError", async (kind, answer) => {
    body = answer;
    const enable3 = clientFor(server.url);
    const call =
      kind === "balance" ? enable3.getUserBalance("u1") : kind === "widget" ? enable3.getWidgetUrl("u1") : enable3.getUserToken("u1");
    await expect(call).rejects.toBeInstanceOf(Enable3InvalidResponseError);
  });

  it("a decimal balance with a sign or a long fraction passes as the exact string", async () => {
    body = { balance: "-0.000000000000000001", userExists: false };
    await expect(clientFor(server.url).getUserBalance("u1")).resolves.toEqual(body);
  });
});

// The widget-URL and token cache: expiry with a margin, LRU bound, single flight, errors not cached.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { Enable3AbortError, Enable3ServerError, Enable3ValidationError } from "../../src/index.js";
import { createWidgetCache } from "../../src/widget.js";
import { clientFor } from "../helpers/client.js";
import { reply, type ScriptedServer, startScriptedServer } from "../helpers/http-server.js";
import { fakeJwt } from "../helpers/jwt.js";

const HOUR = 3600_000;
let server: ScriptedServer;
let status = 200;
let lifetimeMs = 2 * HOUR;
let hold: Promise<void> | undefined;
beforeAll(async () => {
  server = await startScriptedServer(async (req, res) => {
    await hold;
    if (status !== 200) return reply(res, status);
    const token = fakeJwt({ exp: Math.floor((Date.now() + lifetimeMs) / 1000), n: server.requests.length });
    reply(res, 200, req.url.includes("/token") ? { token } : { url: `https://widget.example/?t=${token}&n=${server.requests.length}` });
  });
});
beforeEach(() => {
  server.requests.length = 0;
  status = 200;
  lifetimeMs = 2 * HOUR;
  hold = undefined;
  vi.useFakeTimers({ toFake: ["Date"], now: Date.UTC(2026, 0, 1) });
});
afterEach(() => vi.useRealTimers());

const cachedClient = (options: object = { refreshMarginMs: 10 * 60_000 }) => createWidgetCache(clientFor(server.url), options);

describe("widget URL cache", () => {
  it("reuses a URL until the margin before expiry, then fetches a new one", async () => {
    const enable3 = cachedClient();
    const first = await enable3.getWidgetUrl("u1");
    vi.setSystemTime(Date.now() + HOUR);
    expect(await enable3.getWidgetUrl("u1")).toEqual(first);
    expect(server.requests).toHaveLength(1);
    vi.setSystemTime(Date.now() + 51 * 60_000); // 9 minutes before expiry: inside the 10-minute margin
    const second = await enable3.getWidgetUrl("u1");
    expect(second.url).not.toBe(first.url);
    expect(server.requests).toHaveLength(2);
  });

  it("never returns an expired URL", async () => {
    const enable3 = cachedClient({ refreshMarginMs: 0 });
    const first = await enable3.getWidgetUrl("u1");
    vi.setSystemTime(first.expiresAt.getTime());
    const second = await enable3.getWidgetUrl("u1");
    expect(second.url).not.toBe(first.url);
    expect(second.expiresAt.getTime()).toBeGreaterThan(Date.now());
  });

  it("does not keep a URL that is already inside the margin", async () => {
    lifetimeMs = 60_000;
    const enable3 = cachedClient();
    await enable3.getWidgetUrl("u1");
    await enable3.getWidgetUrl("u1");
    expect(server.requests).toHaveLength(2);
  });

  it("shares one API call between concurrent requests for the same key", async () => {
    const enable3 = cachedClient();
    let release!: () => void;
    hold = new Promise((r) => (release = r));
    const calls = Array.from({ length: 10 }, () => enable3.getWidgetUrl("u1", { referralCode: "R" }));
    while (server.requests.length === 0) await new Promise((r) => setImmediate(r));
    release();
    const results = await Promise.all(calls);
    expect(server.requests).toHaveLength(1);
    expect(new Set(results.map((r) => r.url)).size).toBe(1);
  });

  it("keys on user, referral code and params", async () => {
    const enable3 = cachedClient();
    await enable3.getWidgetUrl("u1");
    await enable3.getWidgetUrl("u2");
    await enable3.getWidgetUrl("u1", { referralCode: "A" });
    await enable3.getWidgetUrl("u1", { referralCode: "B" });
    await enable3.getWidgetUrl("u1", { params: { section: "shop", lang: "en" } });
    await enable3.getWidgetUrl("u1", { params: { lang: "en", section: "shop" } }); // same params, other order
    await enable3.getWidgetUrl("u1", { referralCode: "A" });
    await enable3.getWidgetUrl("u1", { params: { referralCode: "A" } }); // the same referral, said the other way
    expect(server.requests).toHaveLength(5);
  });

  it("evicts the least recently used entry beyond maxEntries", async () => {
    const enable3 = cachedClient({ maxEntries: 2 });
    await enable3.getWidgetUrl("a");
    await enable3.getWidgetUrl("b");
    await enable3.getWidgetUrl("a"); // a is now the most recent
    await enable3.getWidgetUrl("c"); // evicts b
    expect(server.requests).toHaveLength(3);
    await enable3.getWidgetUrl("a");
    await enable3.getWidgetUrl("c");
    expect(server.requests).toHaveLength(3);
    await enable3.getWidgetUrl("b");
    expect(server.requests).toHaveLength(4);
  });

  it("does not cache errors", async () => {
    const enable3 = cachedClient();
    status = 400;
    await expect(enable3.getWidgetUrl("u1")).rejects.toMatchObject({ status: 400 });
    status = 200;
    await expect(enable3.getWidgetUrl("u1")).resolves.toHaveProperty("url");
    expect(server.requests).toHaveLength(2);
  });

  it("one caller's abort does not fail the others sharing the call", async () => {
    const enable3 = cachedClient();
    let release!: () => void;
    hold = new Promise((r) => (release = r));
    const controller = new AbortController();
    const aborted = enable3.getWidgetUrl("u1", { signal: controller.signal });
    const other = enable3.getWidgetUrl("u1");
    while (server.requests.length === 0) await new Promise((r) => setImmediate(r));
    controller.abort();
    await expect(aborted).rejects.toBeInstanceOf(Enable3AbortError);
    release();
    await expect(other).resolves.toHaveProperty("url");
  });

  it("clear forgets everything; the bare client caches nothing", async () => {
    const enable3 = cachedClient({});
    await enable3.getWidgetUrl("u1");
    enable3.clear();
    await enable3.getWidgetUrl("u1");
    const uncached = clientFor(server.url);
    await uncached.getWidgetUrl("u1");
    await uncached.getWidgetUrl("u1");
    expect(server.requests).toHaveLength(4);
  });
});

describe("token cache", () => {
  it("reuses a token until its margin and shares concurrent loads", async () => {
    const enable3 = cachedClient();
    const [a, b] = await Promise.all([enable3.getUserToken("u1"), enable3.getUserToken("u1")]);
    expect(a).toEqual(b);
    expect(await enable3.getUserToken("u1")).toEqual(a);
    expect(server.requests).toHaveLength(1);
    vi.setSystemTime(Date.now() + 2 * HOUR);
    expect((await enable3.getUserToken("u1")).token).not.toBe(a.token);
  });

  it("does not cache a failure", async () => {
    const enable3 = cachedClient();
    status = 503;
    await expect(enable3.getUserToken("u1")).rejects.toBeInstanceOf(Enable3ServerError);
    status = 200;
    await expect(enable3.getUserToken("u1")).resolves.toHaveProperty("token");
  });
});

describe("cache defects a close reading found", () => {
  it("callers with different headers or limits do not share a load", async () => {
    let release!: () => void;
    hold = new Promise((r) => (release = r));
    const enable3 = cachedClient();
    const a = enable3.getWidgetUrl("u1", { headers: { "x-tenant": "a" } });
    const b = enable3.getWidgetUrl("u1", { headers: { "x-tenant": "b" } });
    const c = enable3.getWidgetUrl("u1", { headers: { "x-tenant": "b" }, timeoutMs: 5_000 });
    await expect.poll(() => server.requests).toHaveLength(3);
    release();
    await Promise.all([a, b, c]);
    expect(server.requests.map((r) => r.headers["x-tenant"]).sort()).toEqual(["a", "b", "b"]);
  });

  it("clear() during a load: the load answers its caller but does not refill the cache", async () => {
    let release!: () => void;
    hold = new Promise((r) => (release = r));
    const enable3 = cachedClient();
    const pending = enable3.getWidgetUrl("u1");
    await expect.poll(() => server.requests).toHaveLength(1);
    enable3.clear();
    release();
    await expect(pending).resolves.toMatchObject({ url: expect.stringContaining("n=1") });
    await enable3.getWidgetUrl("u1");
    expect(server.requests).toHaveLength(2);
  });

  it("when every caller has aborted, the shared load is aborted too", async () => {
    hold = new Promise(() => {}); // the server never answers
    const enable3 = cachedClient();
    const first = new AbortController();
    const second = new AbortController();
    const waits = [enable3.getWidgetUrl("u1", { signal: first.signal }), enable3.getWidgetUrl("u1", { signal: second.signal })];
    await expect.poll(() => server.requests).toHaveLength(1);
    const closed = new Promise<void>((resolve) => {
      for (const s of server.sockets()) s.once("close", () => resolve());
    });
    first.abort();
    second.abort();
    await expect(Promise.all(waits)).rejects.toBeInstanceOf(Enable3AbortError);
    // the client hung up at once (the load kept running for seconds before): nothing keeps the process alive;
    // 5 s leaves a loaded machine time to deliver the close and is still far below the client's 30 s timeout
    const hungUp = await Promise.race([closed.then(() => true), new Promise((r) => setTimeout(r, 5_000, false))]);
    expect(hungUp).toBe(true);
  });

  it.each([
    [{ maxEntries: -1 }],
    [{ maxEntries: Number.NaN }],
    [{ maxEntries: "10" }],
    [{ maxEntries: 1.5 }],
    [{ refreshMarginMs: -1 }],
    [{ refreshMarginMs: 2 ** 31 }],
  ])("refuses cache options %j", (options) => {
    expect(() => createWidgetCache(clientFor(server.url), options as never)).toThrow(Enable3ValidationError);
  });
});

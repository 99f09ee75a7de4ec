// Retries: what is retried, how often, how long the waits are, and that every attempt is the same request.
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  createEnable3Client,
  Enable3AbortError,
  Enable3BadRequestError,
  Enable3ConnectionError,
  Enable3InvalidResponseError,
  Enable3RateLimitError,
  Enable3ServerError,
  Enable3TimeoutError,
} from "../../src/index.js";
import { clientFor } from "../helpers/client.js";
import { scriptedFaultServer } from "../helpers/fault-server.js";
import { BALANCE, emptyServerError, htmlBadGateway, malformedJson, ok, resetMidResponse, slowBody } from "../helpers/faults.js";
import { reply } from "../helpers/http-server.js";
import { trackTimers } from "../helpers/timers.js";

const fast = { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 5 };
const serve = scriptedFaultServer;
afterEach(() => {
  vi.useRealTimers();
});

/** Runs `promise` while advancing fake time in small steps, letting real I/O happen in between. */
async function withFakeTime<T>(promise: Promise<T>, stepMs = 10): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => (settled = true));
  watched.catch(() => {});
  while (!settled) {
    await new Promise((r) => setImmediate(r));
    await vi.advanceTimersByTimeAsync(stepMs);
  }
  return watched;
}

describe("retries", () => {
  it("503 then 200: retried once, same body and id on both attempts", async () => {
    const server = await serve(
      (res) => reply(res, 503),
      (res) => reply(res, 201),
    );
    const { id } = await clientFor(server.url, fast).sendEvent({ userId: "u1", eventId: "deposit", value: 5 });
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]!.body).toBe(server.requests[1]!.body);
    expect(JSON.parse(server.requests[1]!.body).id).toBe(id);
    expect(server.requests[1]!.headers["x-api-key"]).toBeTruthy();
  });

  it("keeps the same requestId on every attempt of sendRevenue", async () => {
    const server = await serve(
      (res) => reply(res, 500),
      (res) => reply(res, 502),
      (res) => reply(res, 200),
    );
    const { requestId } = await clientFor(server.url, fast).sendRevenue({ revenue: 3 });
    expect(server.requests.map((r) => JSON.parse(r.body).requestId)).toEqual([requestId, requestId, requestId]);
  });

  it("honours 429 Retry-After in seconds", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const server = await serve((res) => reply(res, 429, "", { "retry-after": "1" }), ok);
    await expect(withFakeTime(clientFor(server.url, fast).getUserBalance("u1"))).resolves.toEqual(BALANCE);
    const waited = server.arrivals[1]! - server.arrivals[0]!;
    expect(waited).toBeGreaterThanOrEqual(1000);
    expect(waited).toBeLessThan(1100);
  });

  it("honours 429 Retry-After as an HTTP date", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const server = await serve((res) => reply(res, 429, "", { "retry-after": new Date(Date.now() + 3000).toUTCString() }), ok);
    await withFakeTime(clientFor(server.url, fast).getUserBalance("u1"));
    const waited = server.arrivals[1]! - server.arrivals[0]!;
    expect(waited).toBeGreaterThanOrEqual(2000); // the date has whole seconds
    expect(waited).toBeLessThan(3100);
  });

  it("prefers retry-after-ms", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const server = await serve((res) => reply(res, 503, "", { "retry-after-ms": "250", "retry-after": "30" }), ok);
    await withFakeTime(clientFor(server.url, fast).getUserBalance("u1"));
    const waited = server.arrivals[1]! - server.arrivals[0]!;
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(300);
  });

  it("backs off exponentially within the cap", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const server = await serve((res) => reply(res, 503));
    const call = clientFor(server.url, { maxRetries: 3, initialDelayMs: 400, maxDelayMs: 1000 }).getUserBalance("u1");
    await expect(withFakeTime(call)).rejects.toBeInstanceOf(Enable3ServerError);
    const gaps = server.arrivals.slice(1).map((t, i) => t - server.arrivals[i]!);
    expect(gaps).toHaveLength(3);
    const bounds = [
      [200, 400],
      [400, 800],
      [500, 1000],
    ];
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(bounds[i]![0]!);
      expect(gap).toBeLessThanOrEqual(bounds[i]![1]! + 20);
    });
  });

  it("fails rather than wait beyond maxRetryAfterMs", async () => {
    const server = await serve((res) => reply(res, 429, "", { "retry-after": "3600" }));
    const error = await clientFor(server.url, fast)
      .getUserBalance("u1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3RateLimitError);
    expect((error as Enable3RateLimitError).attempts).toBe(1);
    expect(server.requests).toHaveLength(1);
  });

  it("retries a connection reset mid-response, then reports a connection error", async () => {
    const recovered = await serve(resetMidResponse, ok);
    await expect(clientFor(recovered.url, fast).getUserBalance("u1")).resolves.toEqual(BALANCE);
    expect(recovered.requests).toHaveLength(2);

    const broken = await serve(resetMidResponse);
    const error = await clientFor(broken.url, fast)
      .getUserBalance("u1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3ConnectionError);
    expect(error).toMatchObject({ attempts: 3, retryable: true, operation: "getUserBalance", method: "GET" });
  });

  it("times out a response that never comes, on every attempt", async () => {
    const server = await serve(() => {});
    const error = await clientFor(server.url, { ...fast, timeoutMs: 50 })
      .getUserBalance("u1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3TimeoutError);
    expect(error).toMatchObject({ attempts: 3 });
    expect(server.requests).toHaveLength(3);
  });

  it("times out a body that is too slow, and waits for one that is slow but in time", async () => {
    const tooSlow = await serve((res, server) => slowBody(server, res, 500));
    const error = await clientFor(tooSlow.url, { ...fast, maxRetries: 0, timeoutMs: 100 })
      .getUserBalance("u1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3TimeoutError);

    const slow = await serve((res, server) => slowBody(server, res, 50));
    await expect(clientFor(slow.url, { ...fast, timeoutMs: 2000 }).getUserBalance("u1")).resolves.toEqual(BALANCE);
  });

  it("stops at the overall deadline", async () => {
    const server = await serve(() => {});
    // attempts end at 150 and 300 ms; the third starts with 100 ms left and is cut by the deadline (slack for a loaded machine)
    const error = await clientFor(server.url, { ...fast, maxRetries: 5, timeoutMs: 150, deadlineMs: 400 })
      .getUserBalance("u1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3TimeoutError);
    // the deadline ended it, not the retries: five retries of 150 ms would have taken six attempts
    expect((error as Enable3TimeoutError).message).toMatch(/exceeded its deadline of 400 ms$/);
    expect((error as Enable3TimeoutError).attempts).toBeLessThanOrEqual(3);
    expect(server.requests).toHaveLength((error as Enable3TimeoutError).attempts!);
  });

  it("does not retry malformed JSON on a 200", async () => {
    const server = await serve(malformedJson);
    await expect(clientFor(server.url, fast).getUserBalance("u1")).rejects.toBeInstanceOf(Enable3InvalidResponseError);
    expect(server.requests).toHaveLength(1);
  });

  it("retries an HTML 502 page and reports it as text", async () => {
    const server = await serve(htmlBadGateway);
    const error = await clientFor(server.url, fast)
      .getUserBalance("u1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3ServerError);
    expect(error).toMatchObject({ status: 502, attempts: 3 });
    expect((error as Enable3ServerError).body).toMatch(/<h1>502 Bad Gateway<\/h1>/);
  });

  it("retries an empty 500 and reports no body", async () => {
    const server = await serve(emptyServerError);
    const error = await clientFor(server.url, fast)
      .getUserBalance("u1")
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 500, attempts: 3, body: undefined });
  });

  it("never retries another 4xx", async () => {
    const server = await serve((res) => reply(res, 400, { error: "bad" }));
    const error = await clientFor(server.url, fast)
      .getUserBalance("u1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3BadRequestError);
    expect(server.requests).toHaveLength(1);
  });

  it("maxRetries: 0 disables retrying, per client and per call", async () => {
    const server = await serve((res) => reply(res, 503));
    await expect(clientFor(server.url, { ...fast, maxRetries: 0 }).getUserBalance("u1")).rejects.toMatchObject({ attempts: 1 });
    await expect(clientFor(server.url, fast).getUserBalance("u1", { maxRetries: 0 })).rejects.toMatchObject({ attempts: 1 });
    await expect(clientFor(server.url, { ...fast, maxRetries: 0 }).getUserBalance("u1", { maxRetries: 1 })).rejects.toMatchObject({
      attempts: 2,
    });
    expect(server.requests).toHaveLength(4);
  });

  it("retries the statuses it is told to", async () => {
    const server = await serve((res) => reply(res, 418), ok);
    await expect(clientFor(server.url, { ...fast, retryOnStatus: [418] }).getUserBalance("u1")).resolves.toEqual(BALANCE);
    expect(server.requests).toHaveLength(2);
  });

  it("a caller's abort during the backoff wait ends the call at once", async () => {
    const server = await serve((res) => reply(res, 503));
    const controller = new AbortController();
    const call = clientFor(server.url, { maxRetries: 5, initialDelayMs: 60_000, maxDelayMs: 60_000 }).getUserBalance("u1", {
      signal: controller.signal,
    });
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 2));
    await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    await expect(call).rejects.toBeInstanceOf(Enable3AbortError);
    expect(server.requests).toHaveLength(1);
  });

  it("leaves no timer behind once a call is done", async () => {
    // A fetch of our own, so the only timers are the SDK's (undici keeps timers of its own for sockets).
    let n = 0;
    const fetch = (async (_url: unknown, init?: RequestInit) => {
      n++;
      if (n === 3) return new Promise((_, reject) => init!.signal!.addEventListener("abort", () => reject(init!.signal!.reason)));
      return new Response(JSON.stringify(BALANCE), { status: n === 1 ? 503 : 200, headers: { "content-type": "application/json" } });
    }) as typeof globalThis.fetch;
    // the timers created from here on that neither fired nor were cleared (other files' timers do not count)
    const live = trackTimers();
    const enable3 = createEnable3Client({
      apiKey: "k",
      baseUrl: "http://localhost:1",
      fetch,
      ...fast,
      timeoutMs: 60_000,
      deadlineMs: 120_000,
    });
    await expect(enable3.getUserBalance("u1")).resolves.toEqual(BALANCE); // a retry, then success
    expect(live.size).toBe(0);
    const controller = new AbortController();
    const hanging = enable3.getUserBalance("u1", { signal: controller.signal });
    await new Promise((r) => setImmediate(r));
    expect(live.size).toBe(1); // the attempt's timeout is running
    controller.abort();
    await expect(hanging).rejects.toBeInstanceOf(Enable3AbortError);
    expect(live.size).toBe(0);
  });
});

// The retry budget: a shared token bucket that turns an outage into fast failures, not a retry storm.
import { describe, expect, it } from "vitest";
import { Enable3ServerError } from "../../src/index.js";
import { RetryBudget } from "../../src/transport/retry-budget.js";
import { clientFor } from "../helpers/client.js";
import { scriptedFaultServer } from "../helpers/fault-server.js";
import { ok } from "../helpers/faults.js";
import { reply } from "../helpers/http-server.js";

const fast = { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 2 };

describe("retry budget", () => {
  it("once spent, calls fail fast with the last error", async () => {
    const server = await scriptedFaultServer((res) => reply(res, 503));
    const enable3 = clientFor(server.url, { ...fast, retryBudget: { capacity: 10, retryCost: 5 } });
    await expect(enable3.getUserBalance("u1")).rejects.toMatchObject({ attempts: 3 }); // spends 10
    const error = await enable3.getUserBalance("u1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3ServerError);
    expect(error).toMatchObject({ attempts: 1, status: 503 });
    expect(server.requests).toHaveLength(4);
  });

  it("is shared by every call of one client, and successes refill it", async () => {
    let fail = true;
    const server = await scriptedFaultServer((res) => (fail ? reply(res, 503) : ok(res)));
    const enable3 = clientFor(server.url, { ...fast, retryBudget: { capacity: 10, retryCost: 5, successRefill: 5 } });
    await expect(enable3.getUserToken("u1")).rejects.toMatchObject({ attempts: 3 });
    await expect(enable3.getWidgetUrl("u1")).rejects.toMatchObject({ attempts: 1 });
    fail = false;
    await enable3.getUserBalance("u1"); // refills 5: one retry's worth
    fail = true;
    await expect(enable3.getUserBalance("u1")).rejects.toMatchObject({ attempts: 2 });
  });

  it("can be turned off", async () => {
    const server = await scriptedFaultServer((res) => reply(res, 503));
    const enable3 = clientFor(server.url, { ...fast, retryBudget: false });
    for (let i = 0; i < 5; i++) await expect(enable3.getUserBalance("u1")).rejects.toMatchObject({ attempts: 3 });
  });

  it("gives back what a call's retries spent when the call succeeds", () => {
    const budget = new RetryBudget({ capacity: 20, retryCost: 5, timeoutRetryCost: 10 });
    expect(budget.acquire(false)).toBe(5);
    expect(budget.acquire(true)).toBe(10);
    expect(budget.available).toBe(5);
    expect(budget.acquire(true)).toBeUndefined();
    budget.release(15);
    expect(budget.available).toBe(20);
    budget.release(0);
    expect(budget.available).toBe(20); // never above capacity
  });
});

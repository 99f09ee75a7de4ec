// The outbox's one rule for what a failed attempt means (src/outbox/policy.ts): the API refusing this
// server pauses delivery, the API refusing the record kills it, anything else is retried.
import { describe, expect, it } from "vitest";
import { Enable3ProxyError, Enable3TimeoutError } from "../../src/errors/classes.js";
import { apiErrorFor } from "../../src/errors/messages.js";
import { judge } from "../../src/outbox/policy.js";

const policy = { initialDelayMs: 1_000, maxDelayMs: 300_000, retryForMs: 3 * 86_400_000 };
const verdict = (error: Parameters<typeof judge>[0]) => judge(error, 1, 0, policy, () => 0).outcome;

describe("outbox policy", () => {
  it("401, 403 and a proxy's 407 pause; 400, 404, 409, 422 are the record's death; 408, 429, 5xx and timeouts retry", () => {
    for (const status of [401, 403]) expect(`${status} ${verdict(apiErrorFor(status, {}, {}))}`).toBe(`${status} pause`);
    expect(verdict(new Enable3ProxyError("proxy asked for credentials", "http://proxy:3128", 407))).toBe("pause");
    expect(verdict(new Enable3ProxyError("proxy refused the tunnel", "http://proxy:3128", 502))).toBe("retry");
    for (const status of [400, 404, 409, 422]) expect(`${status} ${verdict(apiErrorFor(status, {}, {}))}`).toBe(`${status} dead`);
    for (const status of [408, 429, 500, 503]) expect(`${status} ${verdict(apiErrorFor(status, {}, {}))}`).toBe(`${status} retry`);
    expect(verdict(new Enable3TimeoutError("slow"))).toBe("retry");
    expect(verdict(undefined)).toBe("delivered");
  });
});

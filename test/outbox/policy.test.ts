// The outbox's one rule for what a failed attempt means (src/outbox/policy.ts): the API refusing this
// server pauses delivery, the API refusing the record kills it, anything else is retried.
import { describe, expect, it } from "vitest";
import { apiErrorFor } from "../../src/errors/messages.js";
import { Enable3ProxyError, Enable3TimeoutError } from "../../src/errors/network.js";
import { judge, shortestWaits } from "../../src/outbox/policy.js";
import { createRecordAges } from "../../src/outbox/record-age.js";

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

  it("a record found after a restart is judged no older than its attempts prove, whatever the wall clock says", () => {
    const ages = createRecordAges(policy);
    const record = { key: "1:0", kind: "event" as const, id: "e", body: {}, attempts: 0, enqueuedAt: Date.now() - 4 * 86_400_000 };
    expect(ages.ageOf(record)).toBeLessThan(1_000); // never attempted: its age counts from now
    const tried = { ...record, key: "1:1", attempts: 10 };
    // 0.5 × (1 + 2 + 4 + … + 256 s) + 0.5 × 300 s: the least ten backoffs can take
    expect(Math.round(ages.ageOf(tried) / 1_000)).toBe(Math.round((511_000 / 2 + 150_000) / 1_000));
    expect(shortestWaits(2_000, policy)).toBeGreaterThan(policy.retryForMs); // enough attempts do prove the age
    const young = { ...record, key: "1:2", attempts: 2_000, enqueuedAt: Date.now() - 1_000 };
    expect(ages.ageOf(young)).toBeLessThan(2_000); // and the wall clock, when it says less
  });
});

import { describe, expect, it } from "vitest";
import { createEnable3Client, Enable3Error, Enable3ValidationError } from "../../src/index.js";
import { countingFetch, TEST_KEY } from "../helpers/client.js";

function expectValidation(fn: () => unknown, field: string) {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(Enable3ValidationError);
  expect(thrown).toBeInstanceOf(Enable3Error);
  expect((thrown as Enable3ValidationError).field).toBe(field);
}

async function expectRejectedValidation(promise: Promise<unknown>, field: string) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Enable3ValidationError);
  expect((error as Enable3ValidationError).field).toBe(field);
}

describe("client options", () => {
  it("requires a non-blank API key", () => {
    expectValidation(() => createEnable3Client({} as never), "options.apiKey");
    expectValidation(() => createEnable3Client({ apiKey: "   " }), "options.apiKey");
    expectValidation(() => createEnable3Client({ apiKey: undefined as unknown as string }), "options.apiKey");
  });

  it("refuses a key that cannot be a header value, without quoting it", () => {
    const secret = "secret\nvalue";
    try {
      createEnable3Client({ apiKey: secret });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(Enable3ValidationError);
      expect(String(e)).not.toContain("secret");
      expect(JSON.stringify(e)).not.toContain("secret");
    }
  });

  it("allows plain http only for loopback hosts", () => {
    expectValidation(() => createEnable3Client({ apiKey: TEST_KEY, baseUrl: "http://integration.enable3.io" }), "options.baseUrl");
    expectValidation(() => createEnable3Client({ apiKey: TEST_KEY, baseUrl: "http://10.0.0.1:8080" }), "options.baseUrl");
    expectValidation(() => createEnable3Client({ apiKey: TEST_KEY, baseUrl: "ftp://localhost" }), "options.baseUrl");
    expectValidation(() => createEnable3Client({ apiKey: TEST_KEY, baseUrl: "not a url" }), "options.baseUrl");
    for (const baseUrl of ["http://localhost:4010", "http://127.0.0.1:4010", "http://[::1]:4010", "https://integration.enable3.io"]) {
      expect(() => createEnable3Client({ apiKey: TEST_KEY, baseUrl })).not.toThrow();
    }
  });

  it("checks numeric options", () => {
    expectValidation(() => createEnable3Client({ apiKey: TEST_KEY, maxRetries: -1 }), "options.maxRetries");
    expectValidation(() => createEnable3Client({ apiKey: TEST_KEY, maxRetries: 1.5 }), "options.maxRetries");
    expectValidation(() => createEnable3Client({ apiKey: TEST_KEY, timeoutMs: 0 }), "options.timeoutMs");
    expectValidation(() => createEnable3Client({ apiKey: TEST_KEY, retryOnStatus: [700] }), "options.retryOnStatus[0]");
  });
});

describe("unknown options are refused, with the option meant", () => {
  const messageOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(Enable3ValidationError);
      return (e as Enable3ValidationError).message;
    }
    return expect.unreachable();
  };

  it("by createEnable3Client", () => {
    const { fetch } = countingFetch();
    const create = (extra: object) => () => createEnable3Client({ apiKey: TEST_KEY, fetch, ...extra });
    expect(messageOf(create({ timeout: 5 }))).toBe('options.timeout is not an option (did you mean "timeoutMs"?)');
    expect(messageOf(create({ apikey: "x" }))).toMatch(/^options\.apikey is not an option \(did you mean "apiKey"\?\)/);
    expect(messageOf(create({ maxRetry: 1 }))).toMatch(/did you mean "maxRetries"/);
    expect(messageOf(create({ zzz: 1 }))).toMatch(/^options\.zzz is not an option; the options are apiKey, baseUrl, .*timeoutMs/);
    expect(messageOf(create({ retryBudget: { capacty: 5 } }))).toMatch(
      /^options\.retryBudget\.capacty is not an option \(did you mean "capacity"\?\)/,
    );
    expectValidation(create({ logLevl: "debug" }), "options.logLevl");
  });

  it("by every method's per-call options, before anything is sent", async () => {
    const { fetch, calls } = countingFetch();
    const enable3 = createEnable3Client({ apiKey: TEST_KEY, fetch });
    await expectRejectedValidation(enable3.getUserBalance("u1", { timeout: 5 } as never), "requestOptions.timeout");
    await expectRejectedValidation(
      enable3.sendEvent({ userId: "u", eventId: "e", value: 1 }, { retries: 1 } as never),
      "requestOptions.retries",
    );
    await expectRejectedValidation(enable3.getWidgetUrl("u1", { referalCode: "A" } as never), "requestOptions.referalCode");
    await expectRejectedValidation(enable3.sendEvents([], { concurency: 2 } as never), "options.concurency");
    expect(calls).toEqual([]);
    // the options each method does take still pass
    await enable3.getWidgetUrl("u1", { referralCode: "A", params: {}, timeoutMs: 1000 }).catch(() => undefined);
    await enable3.sendEvents([], { concurrency: 2, timeoutMs: 1000, collectFailed: false });
  });
});

describe("X-API-KEY in headers is refused: the key is apiKey, one client per tenant", () => {
  it.each(["X-API-KEY", "x-api-key", "X-Api-Key"])("%s in the client's headers", (name) => {
    const { fetch } = countingFetch();
    let error: unknown;
    try {
      createEnable3Client({ apiKey: TEST_KEY, fetch, headers: { [name]: "other-tenant-key" } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Enable3ValidationError);
    expect((error as Error).message).toMatch(/apiKey/);
    expect((error as Error).message).toMatch(/one client per tenant/);
    expect(String(error)).not.toContain("other-tenant-key");
  });

  it("in a call's headers, before anything is sent", async () => {
    const { fetch, calls } = countingFetch();
    const enable3 = createEnable3Client({ apiKey: TEST_KEY, fetch });
    await expectRejectedValidation(enable3.getUserBalance("u1", { headers: { "x-API-key": "k2" } }), "requestOptions.headers.x-API-key");
    expect(calls).toEqual([]);
  });
});

describe("method input is checked before anything is sent", () => {
  const { fetch, calls } = countingFetch();
  const enable3 = createEnable3Client({ apiKey: TEST_KEY, fetch });
  const event = { userId: "u1", eventId: "deposit", value: 10 };

  const cases: [string, () => Promise<unknown>, string][] = [
    ["blank balance user", () => enable3.getUserBalance("  "), "operatorUserId"],
    ["dot-dot user id", () => enable3.getUserBalance(".."), "operatorUserId"],
    ["non-string user id", () => enable3.getUserToken(42 as unknown as string), "operatorUserId"],
    ["blank widget user", () => enable3.getWidgetUrl(""), "operatorUserId"],
    ["NaN event value", () => enable3.sendEvent({ ...event, value: Number.NaN }), "event.value"],
    ["Infinity event value", () => enable3.sendEvent({ ...event, value: Infinity }), "event.value"],
    ["string event value", () => enable3.sendEvent({ ...event, value: "5" as unknown as number }), "event.value"],
    ["blank event user", () => enable3.sendEvent({ ...event, userId: " " }), "event.userId"],
    ["blank event id", () => enable3.sendEvent({ ...event, id: "" }), "event.id"],
    ["non-string tag", () => enable3.sendEvent({ ...event, eventTags: [1 as unknown as string] }), "event.eventTags[0]"],
    ["NUL in a tag", () => enable3.sendEvent({ ...event, eventTags: ["vip", "a\u0000"] }), "event.eventTags[1]"],
    ["line break in a tag", () => enable3.sendEvent({ ...event, eventTags: ["a\nb"] }), "event.eventTags[0]"],
    ["invalid Date", () => enable3.sendEvent({ ...event, createdAt: new Date("nope") }), "event.createdAt"],
    ["non-finite revenue", () => enable3.sendRevenue({ revenue: -Infinity }), "revenue.revenue"],
    ["empty website list", () => enable3.addWebsites([]), "websites"],
    ["website not a URL", () => enable3.addWebsites(["casino.example"]), "websites[0]"],
    ["website not http(s)", () => enable3.addWebsites(["https://ok.example", "ftp://casino.example"]), "websites[1]"],
    ["empty segment list", () => enable3.assignSegments([]), "assignments"],
    ["empty segmentIds", () => enable3.removeSegments([{ userId: "u1", segmentIds: [] }]), "assignments[0].segmentIds"],
    ["blank segment user", () => enable3.assignSegments([{ userId: "", segmentIds: ["vip"] }]), "assignments[0].userId"],
    ["non-string deep-link param", () => enable3.getWidgetUrl("u1", { params: { tab: 1 as unknown as string } }), "options.params.tab"],
    [
      "conflicting referral codes",
      () => enable3.getWidgetUrl("u1", { referralCode: "A", params: { referralCode: "B" } }),
      "options.params.referralCode",
    ],
    ["negative per-call retries", () => enable3.getUserBalance("u1", { maxRetries: -2 }), "requestOptions.maxRetries"],
  ];

  it.each(cases)("%s", async (_name, run, field) => {
    await expectRejectedValidation(run(), field);
    expect(calls).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { createEnable3Client, Enable3ValidationError, formatApiDate, toApiDate } from "../../src/index.js";
import { countingFetch } from "../helpers/client.js";

/** A client whose fetch keeps each request body and answers 201. */
function recordingClient() {
  const bodies: string[] = [];
  const fetch = (async (_url: string, init: RequestInit) => {
    bodies.push(String(init.body));
    return new Response(null, { status: 201 });
  }) as unknown as typeof globalThis.fetch;
  return { enable3: createEnable3Client({ apiKey: "k", baseUrl: "http://127.0.0.1:1", fetch }), bodies };
}

describe("formatApiDate", () => {
  it("formats in UTC as yyyy-MM-dd HH:mm:ss", () => {
    expect(formatApiDate(new Date("2024-02-22T10:00:00.999Z"))).toBe("2024-02-22 10:00:00");
    expect(formatApiDate(new Date("2024-02-22T23:30:05+02:00"))).toBe("2024-02-22 21:30:05");
    expect(formatApiDate(new Date(Date.UTC(1999, 0, 1, 0, 0, 0)))).toBe("1999-01-01 00:00:00");
  });
});

describe("dates the API's format cannot hold", () => {
  it.each([
    ["year 10000", new Date(Date.UTC(10000, 0, 1))],
    ["year -1", new Date(Date.UTC(-1, 0, 1))],
  ])("a Date in %s is a validation error, not a six-digit year", async (_name, createdAt) => {
    const { fetch, calls } = countingFetch();
    const enable3 = createEnable3Client({ apiKey: "k", baseUrl: "http://127.0.0.1:1", fetch });
    await expect(enable3.sendEvent({ userId: "u", eventId: "e", value: 1, createdAt })).rejects.toThrow(Enable3ValidationError);
    await expect(enable3.sendRevenue({ revenue: 1, date: createdAt })).rejects.toThrow(/years 0000 to 9999/);
    expect(calls).toEqual([]);
  });

  it("years 0 and 9999 are still written with four digits", () => {
    const zero = new Date(0);
    zero.setUTCFullYear(0, 0, 1);
    expect(formatApiDate(zero)).toBe("0000-01-01 00:00:00");
    expect(formatApiDate(new Date(Date.UTC(9999, 11, 31, 23, 59, 59)))).toBe("9999-12-31 23:59:59");
  });
});

describe("formatApiDate without a general formatter", () => {
  it("writes what toISOString's first 19 characters say, for dates across the four-digit years", () => {
    for (let i = 0; i < 2_000; i++) {
      const date = new Date(Math.floor(Math.random() * 253_402_300_799_000)); // 1970 to 9999
      expect(formatApiDate(date)).toBe(date.toISOString().slice(0, 19).replace("T", " "));
    }
  });

  it("an event without createdAt is sent with the current second", async () => {
    const { enable3, bodies } = recordingClient();
    const before = formatApiDate(new Date());
    await enable3.sendEvent({ userId: "u", eventId: "e", value: 1 });
    const after = formatApiDate(new Date());
    const sent = JSON.parse(bodies[0]!).createdAt;
    expect(sent >= before && sent <= after).toBe(true);
  });
});

describe("one date rule: a Date, yyyy-MM-dd HH:mm:ss, or ISO 8601 with a zone", () => {
  const sent = async (createdAt: Date | string) => {
    const { enable3, bodies } = recordingClient();
    await enable3.sendEvent({ userId: "u", eventId: "e", value: 1, createdAt });
    await enable3.sendRevenue({ revenue: 1, date: createdAt });
    return bodies.map((b) => JSON.parse(b).createdAt ?? JSON.parse(b).date);
  };

  it.each([
    ["the API's own format, as it is", "2024-02-22 10:00:00", "2024-02-22 10:00:00"],
    ["ISO 8601 in UTC", "2024-02-22T10:00:00Z", "2024-02-22 10:00:00"],
    ["ISO 8601 with an offset, converted to UTC", "2024-02-22T12:30:15+02:00", "2024-02-22 10:30:15"],
    ["ISO 8601 with a fraction and a negative offset", "2024-02-22T23:00:00.123456-03:00", "2024-02-23 02:00:00"],
    ["ISO 8601 without seconds", "2024-02-22T10:00Z", "2024-02-22 10:00:00"],
  ])("%s", async (_name, given, expected) => {
    expect(await sent(given)).toEqual([expected, expected]);
    expect(toApiDate(given)).toBe(expected);
  });

  it.each([
    ["free text", "yesterday", /must be "yyyy-MM-dd HH:mm:ss" \(UTC\), ISO 8601 with a zone such as 2024-02-22T10:00:00Z, or a Date/],
    ["an ISO time without a zone (ambiguous)", "2024-02-22T10:00:00", /has no time zone: add Z \(UTC\) or an offset/],
    ["a day that does not exist", "2024-02-31 10:00:00", /is not a real date and time/],
    ["an hour that does not exist", "2024-02-22T24:00:00Z", /is not a real date and time/],
    ["a date only", "2024-02-22", /must be "yyyy-MM-dd HH:mm:ss"/],
    ["an empty string", "", /must be "yyyy-MM-dd HH:mm:ss"/],
  ])("%s is refused before anything is sent, naming the field", async (_name, given, message) => {
    const { fetch, calls } = countingFetch();
    const enable3 = createEnable3Client({ apiKey: "k", baseUrl: "http://127.0.0.1:1", fetch });
    const error = await enable3.sendEvent({ userId: "u", eventId: "e", value: 1, createdAt: given }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3ValidationError);
    expect((error as Enable3ValidationError).field).toBe("event.createdAt");
    expect((error as Error).message).toMatch(message);
    await expect(enable3.sendRevenue({ revenue: 1, date: given })).rejects.toThrow(/^revenue\.date /);
    expect(calls).toEqual([]);
  });
});

describe("date errors echo the value, as other validation messages do", () => {
  it.each([
    ["2024-02-31 10:00:00", 'event.createdAt is not a real date and time, got "2024-02-31 10:00:00"'],
    [
      "2024-02-22T10:00:00",
      'event.createdAt has no time zone: add Z (UTC) or an offset such as +02:00, or write "yyyy-MM-dd HH:mm:ss" (read as UTC), got "2024-02-22T10:00:00"',
    ],
    [
      "22/02/2024",
      'event.createdAt must be "yyyy-MM-dd HH:mm:ss" (UTC), ISO 8601 with a zone such as 2024-02-22T10:00:00Z, or a Date, got "22/02/2024"',
    ],
    [
      1708596000000,
      'event.createdAt must be "yyyy-MM-dd HH:mm:ss" (UTC), ISO 8601 with a zone such as 2024-02-22T10:00:00Z, or a Date, got 1708596000000',
    ],
    [new Date(Number.NaN), "event.createdAt is an invalid Date"],
  ])("%s", async (createdAt, message) => {
    const { enable3, bodies } = recordingClient();
    const error = await enable3.sendEvent({ userId: "u", eventId: "e", value: 1, createdAt: createdAt as string }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3ValidationError);
    expect((error as Error).message).toBe(message);
    expect(bodies).toEqual([]);
  });

  it("a long or control-laden value is shown cut and escaped", () => {
    const error = (() => {
      try {
        toApiDate(`2024\u001b[31m${"x".repeat(200)}`);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).toContain('got "2024\\u001b[31mxxx');
    expect(error?.message).not.toContain("\u001b");
    expect(error!.message.length).toBeLessThan(260);
  });
});

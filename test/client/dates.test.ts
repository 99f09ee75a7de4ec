import { describe, expect, it } from "vitest";
import { formatApiDate } from "../../src/index.js";

describe("formatApiDate", () => {
  it("formats in UTC as yyyy-MM-dd HH:mm:ss", () => {
    expect(formatApiDate(new Date("2024-02-22T10:00:00.999Z"))).toBe("2024-02-22 10:00:00");
    expect(formatApiDate(new Date("2024-02-22T23:30:05+02:00"))).toBe("2024-02-22 21:30:05");
    expect(formatApiDate(new Date(Date.UTC(1999, 0, 1, 0, 0, 0)))).toBe("1999-01-01 00:00:00");
  });
});

// The version the SDK names itself with (User-Agent, OpenTelemetry's instrumentation scope) is the
// package's: scripts/version.mjs writes it on `npm version`, and this fails if anything else changed one.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PACKAGE_VERSION } from "../../src/internal/version.js";

describe("src/internal/version.ts", () => {
  it("is package.json's version", () => {
    const { version, scripts } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    expect(PACKAGE_VERSION).toBe(version);
    expect(scripts.version).toBe("node scripts/version.mjs");
  });
});

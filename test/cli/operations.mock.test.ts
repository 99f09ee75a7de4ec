// Every subcommand of the built CLI against the Prism mock: output, --json and exit codes.
import { describe, expect, inject, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { TEST_KEY } from "../helpers/client.js";

const env = { ENABLE3_API_KEY: TEST_KEY, ENABLE3_BASE_URL: inject("prismUrl") };

describe("enable3 operations", () => {
  it.each([
    [["balance", "u1"], /^125\.50\n$/],
    [
      ["widget-url", "u1", "--referral-code", "FRIEND10", "--param", "section=shop"],
      /^https:\/\/widget\.enable3\.io\/\?token=.+\n\(expires 2100-01-01T00:00:00\.000Z\)\n$/,
    ],
    [["token", "u1"], /^eyJ.+\n\(expires 2100/],
    [["event", "--user", "u1", "--event", "deposit", "--value", "50", "--tag", "slots"], /^sent event [0-9a-f-]{36}\n$/],
    [["revenue", "--revenue", "1250.5", "--date", "2024-02-22 10:00:00"], /^sent revenue [0-9a-f-]{36}\n$/],
    [["segments", "add", "--user", "u1", "--segment", "vip", "--segment", "whale"], /^added u1: vip, whale\n$/],
    [["segments", "remove", "--user", "u1", "--segment", "vip"], /^removed u1: vip\n$/],
    [
      ["websites", "add", "https://casino.example", "https://poker.example"],
      /^added https:\/\/casino\.example, https:\/\/poker\.example\n$/,
    ],
  ])("enable3 %j", async (args, expected) => {
    const result = await runCli(args, env);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(expected);
  });

  it("--json prints machine output", async () => {
    const result = await runCli(["balance", "u1", "--json"], env);
    expect(JSON.parse(result.stdout)).toEqual({ balance: "125.50", userExists: true });
  });

  it("exits 2 on usage and validation errors", async () => {
    for (const args of [
      ["balance"],
      ["nope"],
      ["event", "--user", "u1"],
      ["event", "--user", "u1", "--event", "e", "--value", "x"],
      ["websites", "add", "not-a-url"],
      ["balance", "u1", "--unknown"],
    ]) {
      const result = await runCli(args, env);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).not.toBe("");
    }
    expect((await runCli(["balance", "u1"], { ENABLE3_API_KEY: "" })).code).toBe(2);
  });

  it("exits 1 on API failures, with a typed error and no key", async () => {
    const result = await runCli(["balance", "u1", "--base-url", "http://127.0.0.1:1", "--max-retries", "0"], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Enable3ConnectionError: /);
    const json = await runCli(["balance", "u1", "--base-url", "http://127.0.0.1:1", "--max-retries", "0", "--json"], env);
    expect(JSON.parse(json.stderr).error.name).toBe("Enable3ConnectionError");
    for (const text of [result.stdout, result.stderr, json.stderr]) expect(text).not.toContain(TEST_KEY);
  });

  it("has --help everywhere", async () => {
    const top = await runCli(["--help"]);
    expect(top.code).toBe(0);
    for (const name of ["widget-url", "token", "balance", "event", "revenue", "segments", "websites", "import", "mock", "callback"]) {
      expect(top.stdout).toContain(name);
      const sub = await runCli([name, "--help"]);
      expect(sub.code).toBe(0);
      expect(sub.stdout).toMatch(/^Usage: enable3 /);
    }
  });
});

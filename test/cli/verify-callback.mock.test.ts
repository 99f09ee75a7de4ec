// enable3 verify-callback on saved bodies, from a file and from stdin.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { signCallback } from "../../src/callback.js";
import { runCli } from "../helpers/cli.js";
import { makeTempDir } from "../helpers/temp-dir.js";

const SECRET = "cli-secret-0d9f";
const body = JSON.stringify({
  userId: "u1",
  amount: 5,
  tokenAmount: 500,
  tokenRate: 0.01,
  transactionId: "tx-9",
  createdAt: "2024-02-22 10:00:00",
});
let dir: string;
let file: string;
beforeAll(async () => {
  dir = await makeTempDir("enable3-verify");
  file = path.join(dir, "callback.json");
  await writeFile(file, body);
});

describe("enable3 verify-callback", () => {
  it("accepts a good signature from a file, with the secret from the environment", async () => {
    const result = await runCli(["verify-callback", "--signature", signCallback(body, SECRET), file], { ENABLE3_CALLBACK_SECRET: SECRET });
    expect(result).toMatchObject({ code: 0, stdout: "valid: u1 withdrew 5 (transaction tx-9)\n" });
  });

  it("reads stdin with -", async () => {
    const result = await runCli(
      ["verify-callback", "--signature", signCallback(body, SECRET), "--secret", SECRET, "--json", "-"],
      {},
      body,
    );
    expect(JSON.parse(result.stdout)).toMatchObject({ valid: true, callback: { transactionId: "tx-9" } });
  });

  it("rejects a wrong signature with exit 1 and never prints the secret", async () => {
    const result = await runCli(["verify-callback", "--signature", signCallback(body, "other"), "--secret", SECRET, file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^invalid \(signature-mismatch\)/);
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });

  it("exits 2 without a secret, a signature or a readable file", async () => {
    expect((await runCli(["verify-callback", "--signature", "x", file], { ENABLE3_CALLBACK_SECRET: "" })).code).toBe(2);
    expect((await runCli(["verify-callback", "--secret", SECRET, file])).code).toBe(2);
    expect((await runCli(["verify-callback", "--secret", SECRET, "--signature", "x", path.join(dir, "missing.json")])).code).toBe(2);
  });
});

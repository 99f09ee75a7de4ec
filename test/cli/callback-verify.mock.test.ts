// enable3 callback verify on saved bodies, from a file and from stdin; verify-callback, its old name, still works.
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

describe("enable3 callback verify", () => {
  it("accepts a good signature from a file, with the secret from the environment", async () => {
    const result = await runCli(["callback", "verify", "--signature", signCallback(body, SECRET), file], {
      ENABLE3_CALLBACK_SECRET: SECRET,
    });
    expect(result).toMatchObject({ code: 0, stdout: "valid: u1 withdrew 5 (transaction tx-9)\n", stderr: "" });
  });

  it("reads stdin with -, the secret from --secret-file", async () => {
    const secretFile = path.join(dir, "secret");
    await writeFile(secretFile, SECRET);
    const result = await runCli(
      ["callback", "verify", "--signature", signCallback(body, SECRET), "--secret-file", secretFile, "--json", "-"],
      { ENABLE3_CALLBACK_SECRET: "" },
      body,
    );
    expect(JSON.parse(result.stdout)).toMatchObject({ valid: true, callback: { transactionId: "tx-9" } });
  });

  it("rejects a wrong signature with exit 1 and never prints the secret", async () => {
    const result = await runCli(["callback", "verify", "--signature", signCallback(body, "other"), file], {
      ENABLE3_CALLBACK_SECRET: SECRET,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^invalid \(signature-mismatch\)/);
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });

  it("exits 2 without a secret, a signature or a readable file; refuses --secret with the reason", async () => {
    const env = { ENABLE3_CALLBACK_SECRET: SECRET };
    expect((await runCli(["callback", "verify", "--signature", "x", file], { ENABLE3_CALLBACK_SECRET: "" })).code).toBe(2);
    expect((await runCli(["callback", "verify", file], env)).code).toBe(2);
    expect((await runCli(["callback", "verify", "--signature", "x", path.join(dir, "missing.json")], env)).code).toBe(2);
    const argument = await runCli(["callback", "verify", "--signature", "x", "--secret", SECRET, file]);
    expect(argument).toMatchObject({ code: 2, stderr: expect.stringContaining("--secret is refused") });
    expect(argument.stdout + argument.stderr).not.toContain(SECRET);
  });

  it("enable3 verify-callback still works, and says it is deprecated", async () => {
    const result = await runCli(["verify-callback", "--signature", signCallback(body, SECRET), file], { ENABLE3_CALLBACK_SECRET: SECRET });
    expect(result).toMatchObject({
      code: 0,
      stdout: "valid: u1 withdrew 5 (transaction tx-9)\n",
      stderr: "enable3 verify-callback is deprecated: use enable3 callback verify (same options)\n",
    });
  });
});

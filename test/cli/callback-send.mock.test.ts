// enable3 callback send against the example endpoint: signed as Enable3 signs, tampered when asked.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { type Started, startScript } from "../helpers/process.js";
import { makeTempDir } from "../helpers/temp-dir.js";

const SECRET = "callback-send-secret-77";
let endpoint: Started;
beforeAll(async () => {
  endpoint = await startScript("examples/callback-server/server.mjs", { ENABLE3_CALLBACK_SECRET: SECRET });
});
const send = (...args: string[]) =>
  runCli(["callback", "send", "--to", endpoint.url, "--json", ...args], { ENABLE3_CALLBACK_SECRET: SECRET });

describe("enable3 callback send", () => {
  it("sends a callback the endpoint verifies and pays once; the same transaction again is a duplicate", async () => {
    const first = await send("--transaction-id", "tx-send-1", "--amount", "25", "--user-id", "player-7");
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ status: 200, accepted: true, answer: '{"status":"ok","transactionId":"tx-send-1"}' });
    expect(endpoint.output()).toMatch(/pay 25 to player-7/);
    const again = await send("--transaction-id", "tx-send-1");
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 200, answer: '{"status":"duplicate","transactionId":"tx-send-1"}' });
  });

  it("--tamper: the endpoint refuses it, and the command says that is right", async () => {
    const result = await send("--tamper");
    expect(JSON.parse(result.stdout)).toMatchObject({
      status: 401,
      accepted: false,
      tampered: true,
      answer: '{"error":"signature-mismatch"}',
    });
    expect(result.code).toBe(0);
  });

  it("--tamper against an endpoint that accepts anything exits 1 and says why", async () => {
    const careless = await startScriptedServer((_req, res) => reply(res, 200, { status: "ok" }));
    const result = await runCli(["callback", "send", "--to", careless.url, "--tamper"], { ENABLE3_CALLBACK_SECRET: SECRET });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/ACCEPTED a wrong signature/);
    expect(careless.requests[0]!.headers["x-request-signature"]).toMatch(/^[A-Za-z0-9+/]{86}==$/);
  });

  it("takes the fields from a JSON file, flags first, and never prints the secret", async () => {
    const file = path.join(await makeTempDir("enable3-callback"), "body.json");
    await writeFile(file, JSON.stringify({ userId: "from-file", amount: 3, transactionId: "tx-file", createdAt: "2024-02-22 10:00:00" }));
    const result = await send("--body", file, "--amount", "4");
    expect(JSON.parse(result.stdout)).toMatchObject({
      status: 200,
      sent: { userId: "from-file", amount: 4, transactionId: "tx-file", tokenAmount: 1000, createdAt: "2024-02-22 10:00:00" },
    });
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });

  it("needs a secret and an http(s) --to", async () => {
    expect((await runCli(["callback", "send", "--to", endpoint.url], { ENABLE3_CALLBACK_SECRET: "" })).stderr).toMatch(
      /ENABLE3_CALLBACK_SECRET/,
    );
    expect((await runCli(["callback", "send", "--to", "ftp://x"], { ENABLE3_CALLBACK_SECRET: SECRET })).code).toBe(2);
  });
});

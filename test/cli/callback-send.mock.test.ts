// enable3 callback send against the example endpoint and recording servers: the exact bytes signed and
// sent (a file's as they are, the sample's numbers as Enable3 writes them), tampered when asked, the
// secret never from an argument, and a bounded wait and read against an endpoint that misbehaves.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseCallbackDate, verifyCallbackSignature } from "../../src/callback.js";
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
const recorder = () => startScriptedServer((_req, res) => reply(res, 200, { status: "processed" }));

describe("enable3 callback send", () => {
  it("sends a callback the endpoint verifies and pays once; the same transaction again is a duplicate", async () => {
    const first = await send("--transaction-id", "tx-send-1", "--amount", "25.00", "--user-id", "player-7");
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      status: 200,
      accepted: true,
      transactionId: "tx-send-1",
      answer: '{"status":"processed","transactionId":"tx-send-1","duplicate":false}',
    });
    expect(endpoint.output()).toMatch(/pay 25\.00 to player-7/); // the amount as sent, digit for digit
    const again = await send("--transaction-id", "tx-send-1");
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 200, answer: expect.stringContaining('"duplicate":true') });
  });

  it("writes the sample as Enable3 does: numbers as typed (100.00), createdAt from formatCallbackDate, signed over those bytes", async () => {
    const server = await recorder();
    const result = await runCli(["callback", "send", "--to", server.url, "--amount", "100.00", "--token-rate", "0.010"], {
      ENABLE3_CALLBACK_SECRET: SECRET,
    });
    expect(result.code).toBe(0);
    const [request] = server.requests;
    expect(request!.body).toMatch(
      /^\{"userId":"player-42","amount":100\.00,"tokenAmount":1000,"tokenRate":0\.010,"transactionId":"[0-9a-f-]{36}","createdAt":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}000"\}$/,
    );
    expect(parseCallbackDate(JSON.parse(request!.body).createdAt)).toBeInstanceOf(Date);
    expect(verifyCallbackSignature(request!.body, request!.headers["x-request-signature"], SECRET)).toBe(true);
  });

  it("--created-at in ISO 8601 with a zone is sent in Enable3's format; a number that is not JSON is refused", async () => {
    const server = await recorder();
    await runCli(["callback", "send", "--to", server.url, "--created-at", "2024-02-22T12:00:00+02:00"], {
      ENABLE3_CALLBACK_SECRET: SECRET,
    });
    expect(JSON.parse(server.requests[0]!.body).createdAt).toBe("2024-02-22T10:00:00.000000");
    const bad = await runCli(["callback", "send", "--to", server.url, "--amount", "1,5"], { ENABLE3_CALLBACK_SECRET: SECRET });
    expect(bad).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--amount must be a JSON number such as 100.00 (sent as typed), got "1,5"'),
    });
  });

  it("--body-file sends the file's bytes exactly as they are, and refuses field flags beside it", async () => {
    const file = path.join(await makeTempDir("enable3-callback"), "body.json");
    // today, in Enable3's older format: a callback dated past the receiver's retentionMs is refused
    const today = new Date().toISOString().slice(0, 19).replace("T", " ");
    const bytes = `{ "transactionId": "tx-file",\r\n  "amount": 100.00, "userId": "Zoë", "tokenAmount": 1e4, "tokenRate": 0.01, "createdAt": "${today}" }\n`;
    await writeFile(file, bytes);
    const server = await recorder();
    const result = await runCli(["callback", "send", "--to", server.url, "--body-file", file, "--json"], {
      ENABLE3_CALLBACK_SECRET: SECRET,
    });
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 200, transactionId: "tx-file", body: bytes });
    expect(server.requests[0]!.body).toBe(bytes);
    expect(verifyCallbackSignature(Buffer.from(bytes), server.requests[0]!.headers["x-request-signature"], SECRET)).toBe(true);
    const both = await runCli(["callback", "send", "--to", server.url, "--body-file", file, "--amount", "4"], {
      ENABLE3_CALLBACK_SECRET: SECRET,
    });
    expect(both).toMatchObject({ code: 2, stderr: expect.stringContaining("--body-file sends the file as it is") });
    expect((await send("--body-file", file)).stdout).toMatch(/"status":200/); // and the example endpoint verifies it
  });

  it("--tamper: the endpoint refuses it, and the command says that is right", async () => {
    const result = await send("--tamper");
    expect(JSON.parse(result.stdout)).toMatchObject({
      status: 401,
      accepted: false,
      tampered: true,
      answer: expect.stringContaining("signature-mismatch"),
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

  it("takes the secret from ENABLE3_CALLBACK_SECRET or --secret-file, refuses --secret with the reason, never prints it", async () => {
    const secretFile = path.join(await makeTempDir("enable3-secret"), "secret");
    await writeFile(secretFile, `${SECRET}\n`);
    const fromFile = await runCli(["callback", "send", "--to", endpoint.url, "--secret-file", secretFile], { ENABLE3_CALLBACK_SECRET: "" });
    expect(fromFile.code).toBe(0);
    const refused = await runCli(["callback", "send", "--to", endpoint.url, "--secret", SECRET], { ENABLE3_CALLBACK_SECRET: "" });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--secret is refused: a secret in an argument is visible to every user in ps/);
    const none = await runCli(["callback", "send", "--to", endpoint.url], { ENABLE3_CALLBACK_SECRET: "" });
    expect(none).toMatchObject({ code: 2, stderr: expect.stringContaining("set ENABLE3_CALLBACK_SECRET or give --secret-file FILE") });
    for (const r of [fromFile, refused, none]) expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect((await runCli(["callback", "send", "--to", "ftp://x"], { ENABLE3_CALLBACK_SECRET: SECRET })).code).toBe(2);
  });

  it("gives up on an endpoint that never answers after --timeout-ms, and reads at most 64 KiB of an endless answer", async () => {
    const silent = await startScriptedServer(() => new Promise(() => {}));
    const started = Date.now();
    const hung = await runCli(["callback", "send", "--to", silent.url, "--timeout-ms", "300"], { ENABLE3_CALLBACK_SECRET: SECRET });
    expect(hung).toMatchObject({ code: 1, stderr: expect.stringContaining("did not answer within 300 ms (--timeout-ms)") });
    // the CLI's start counts too: the bound is the default 30 s timeout's half, far above 300 ms
    expect(Date.now() - started).toBeLessThan(15_000);

    const chunk = "x".repeat(64 * 1024);
    const endless = await startScriptedServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      const more = () => {
        if (!res.destroyed) res.write(chunk, more);
      };
      more();
    });
    const flooded = await runCli(["callback", "send", "--to", endless.url, "--json"], { ENABLE3_CALLBACK_SECRET: SECRET });
    expect(flooded.code).toBe(0);
    expect(JSON.parse(flooded.stdout).answer).toBe(`${"x".repeat(2000)}…`);
  }, 60_000);
});

// examples/callback-server run as documented, exercised over loopback.
import { connect } from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { signCallback } from "../../src/callback.js";
import { type Started, startScript } from "../helpers/process.js";
import { registerTeardown } from "../helpers/teardown.js";

const SECRET = "example-secret-93a1";
let server: Started;
beforeAll(async () => {
  server = await startScript("examples/callback-server/server.mjs", { ENABLE3_CALLBACK_SECRET: SECRET, REQUEST_TIMEOUT_MS: "300" });
});

const callback = (transactionId: string) =>
  JSON.stringify({
    userId: "player-42",
    amount: 10,
    tokenAmount: 1000,
    tokenRate: 0.01,
    transactionId,
    createdAt: "2026-11-23T10:00:00.000000",
  });

async function post(body: string, headers: Record<string, string>) {
  const response = await fetch(server.url, { method: "POST", body, headers });
  return { status: response.status, body: await response.json() };
}

describe("callback-server example", () => {
  it("accepts a signed callback once and recognises the duplicate", async () => {
    const body = callback("tx-1");
    const headers = { "x-request-signature": signCallback(body, SECRET) };
    expect(await post(body, headers)).toEqual({ status: 200, body: { status: "ok", transactionId: "tx-1" } });
    expect(await post(body, headers)).toEqual({ status: 200, body: { status: "duplicate", transactionId: "tx-1" } });
    expect(server.output().match(/pay 10 to player-42/g)).toHaveLength(1);
  });

  it("answers 401 to a bad signature and 400 to a bad payload", async () => {
    const body = callback("tx-2");
    expect(await post(body, {})).toEqual({ status: 401, body: { error: "missing-signature" } });
    expect(await post(body, { "x-request-signature": signCallback(body, "wrong") })).toEqual({
      status: 401,
      body: { error: "signature-mismatch" },
    });
    expect(await post(body.replace("10,", "10000,"), { "x-request-signature": signCallback(body, SECRET) })).toMatchObject({ status: 401 });
    const notJson = "hello";
    expect(await post(notJson, { "x-request-signature": signCallback(notJson, SECRET) })).toEqual({
      status: 400,
      body: { error: "invalid-json" },
    });
    const missing = JSON.stringify({ userId: "u" });
    expect(await post(missing, { "x-request-signature": signCallback(missing, SECRET) })).toEqual({
      status: 400,
      body: { error: "invalid-payload" },
    });
    expect(server.output()).not.toContain(SECRET);
  });
});

describe("callback-server example under stalled uploads", () => {
  it("closes a connection whose body never finishes, after its request timeout", async () => {
    const { port, hostname } = new URL(server.url);
    const socket = connect(Number(port), hostname);
    registerTeardown(() => socket.destroy());
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"partial":');
    const started = Date.now();
    let answer = "";
    socket.on("data", (d: Buffer) => (answer += d.toString()));
    await new Promise<void>((resolve) => socket.once("close", () => resolve()));
    expect(Date.now() - started).toBeLessThan(5_000); // Node's default would hold it for five minutes
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });
});

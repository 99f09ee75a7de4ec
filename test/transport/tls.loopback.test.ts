// TLS failures against real HTTPS servers with certificates made for the test: each is an
// Enable3TlsError naming the host and the problem, says what to do, and is not retried.
import { describe, expect, it } from "vitest";
import { Enable3ConnectionError, Enable3TlsError } from "../../src/index.js";
import { clientFor } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { oneCallScript, runWithSdk } from "../helpers/sdk-process.js";
import { certificates, startTlsServer } from "../helpers/tls.js";

const retrying = { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 1 };

/** Connections the server saw: a retried handshake would open one per attempt. */
function countConnections(server: { server: import("node:net").Server }) {
  let count = 0;
  server.server.on("connection", () => count++);
  return () => count;
}

describe("a certificate this machine does not trust", () => {
  it("is an Enable3TlsError naming the host and NODE_EXTRA_CA_CERTS, in one line, after one attempt", async () => {
    const server = await startTlsServer(certificates().good);
    const connections = countConnections(server);
    const error = await clientFor(server.url, retrying)
      .getUserBalance("u1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3TlsError);
    expect(error).toBeInstanceOf(Enable3ConnectionError); // still caught by code written for connection errors
    expect(error).toMatchObject({ code: "tls_failed", reason: "untrusted-certificate", host: "127.0.0.1", attempts: 1, retryable: false });
    const message = (error as Error).message;
    expect(message).toContain("TLS with 127.0.0.1 failed (");
    expect(message).toContain("the certificate is not signed by a CA this machine trusts");
    expect(message).toContain("NODE_EXTRA_CA_CERTS");
    expect(message).not.toContain("\n");
    expect(connections()).toBe(1);
  });

  it("a 200-item bulk run makes 200 attempts, not 600", async () => {
    const server = await startTlsServer(certificates().good);
    const connections = countConnections(server);
    const events = Array.from({ length: 200 }, (_, i) => ({ userId: `u${i}`, eventId: "deposit", value: i }));
    const report = await clientFor(server.url, retrying).sendEvents(events, { concurrency: 16 });
    expect(report.failedCount).toBe(200);
    expect(report.failed.every((f) => f.error instanceof Enable3TlsError && f.error.attempts === 1)).toBe(true);
    expect(connections()).toBeLessThanOrEqual(200);
  });

  it("is trusted once its CA is given in NODE_EXTRA_CA_CERTS, as the message says", async () => {
    const server = await startTlsServer(certificates().good);
    const run = await runWithSdk(oneCallScript(server.url, { maxRetries: 2 }), { env: { NODE_EXTRA_CA_CERTS: certificates().caFile } });
    expect(run.result).toEqual({ ok: true, balance: "1.00" });
  });
});

describe("a certificate for another host", () => {
  it("is an Enable3TlsError naming what the certificate is for (its CA trusted)", async () => {
    const server = await startTlsServer(certificates().wrongName);
    const run = await runWithSdk(oneCallScript(server.url, { maxRetries: 2 }), { env: { NODE_EXTRA_CA_CERTS: certificates().caFile } });
    expect(run.result).toMatchObject({ name: "Enable3TlsError", reason: "wrong-host", host: "127.0.0.1", attempts: 1, retryable: false });
    expect((run.result as { message: string }).message).toContain(
      "it names DNS:other.example): the certificate is for another host: check baseUrl",
    );
  });
});

describe("an expired certificate", () => {
  it("is an Enable3TlsError that sends the operator to the clock and the certificate's owner", async () => {
    const server = await startTlsServer(certificates().expired);
    const error = await clientFor(server.url, retrying)
      .getUserBalance("u1")
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "Enable3TlsError", reason: "expired-certificate", attempts: 1, retryable: false });
    expect((error as Error).message).toContain("(CERT_HAS_EXPIRED): the certificate has expired: check this machine's clock");
  });
});

describe("https:// on a port that speaks plain http", () => {
  it("is an Enable3TlsError that says the port does not speak TLS, not an OpenSSL dump", async () => {
    const plain = await startScriptedServer((_req, res) => reply(res, 200, { balance: "1.00", userExists: true }));
    const port = new URL(plain.url).port;
    const error = await clientFor(`https://127.0.0.1:${port}`, retrying)
      .getUserBalance("u1")
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "Enable3TlsError", reason: "not-tls", attempts: 1, retryable: false });
    expect((error as Error).message).toContain("the port does not speak TLS: check baseUrl's scheme and port");
    expect((error as Error).message).not.toMatch(/ssl3_get_record|\n/);
  });
});

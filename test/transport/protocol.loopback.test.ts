// Responses that are not HTTP as the parsers accept them, from a raw TCP server: each is an
// Enable3ProtocolError after one attempt (sending again gets the same bytes), on both transports.
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { Enable3ConnectionError, Enable3ProtocolError } from "../../src/index.js";
import { clientFor } from "../helpers/client.js";
import { listenOnLoopback } from "../helpers/listen.js";

const retrying = { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 1, timeoutMs: 5_000 };

/** A TCP server answering every request with `answer`, counting connections; it keeps the socket open unless `end`. */
async function rawServer(answer: string | Buffer, end = true) {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.on("error", () => {});
    socket.once("data", () => (end ? socket.end(answer) : socket.write(answer)));
  });
  return { url: `http://127.0.0.1:${await listenOnLoopback(server)}`, connections: () => connections };
}

describe("a response that is not valid HTTP", () => {
  it.each([
    ["a duplicate Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok", "not valid HTTP"],
    ["a bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n", "not valid HTTP"],
    ["a NUL in a header", "HTTP/1.1 200 OK\r\nX-A: a\0b\r\nContent-Length: 2\r\n\r\nok", "not valid HTTP"],
    ["an invalid status line", "HTTP/1.1 2x0 OK\r\n\r\n", "not valid HTTP"],
    ["headers over 16 KiB", `HTTP/1.1 200 OK\r\nX-Big: ${"a".repeat(20_000)}\r\nContent-Length: 2\r\n\r\nok`, "headers over Node's limit"],
    [
      "a body that is not the gzip it says",
      "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\nabcd",
      "does not decode as its Content-Encoding",
    ],
  ])("%s is an Enable3ProtocolError, not retried", async (_name, answer, wording) => {
    const server = await rawServer(answer);
    const error = await clientFor(server.url, retrying)
      .getUserBalance("u1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3ProtocolError);
    expect(error).toBeInstanceOf(Enable3ConnectionError);
    expect(error).toMatchObject({ code: "protocol_error", attempts: 1, retryable: false });
    expect((error as Error).message).toContain(wording);
    expect((error as Error).message).not.toContain("\n");
    expect(server.connections()).toBe(1);
  });
});

describe("1xx answers", () => {
  it("101 Switching Protocols ends the attempt at once as a protocol error, not at the timeout", async () => {
    const server = await rawServer("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", false);
    const started = Date.now();
    const error = await clientFor(server.url, { ...retrying, timeoutMs: 30_000 })
      .getUserBalance("u1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3ProtocolError);
    expect(error).toMatchObject({ attempts: 1, retryable: false });
    expect(Date.now() - started).toBeLessThan(10_000); // far below the 30 s timeout, with a loaded machine's slack
  });

  it("103 Early Hints before the answer is skipped", async () => {
    const body = '{"balance":"1.00","userExists":true}';
    const server = await rawServer(
      `HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    await expect(clientFor(server.url).getUserBalance("u1")).resolves.toEqual({ balance: "1.00", userExists: true });
  });
});

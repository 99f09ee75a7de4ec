// Defects a close reading and a hostile run found in the transport, each shown on loopback.

import { createServer, type Server } from "node:net";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  createEnable3Client,
  Enable3AbortError,
  Enable3ConnectionError,
  Enable3RedirectError,
  Enable3ResponseTooLargeError,
  Enable3ServerError,
  Enable3ValidationError,
  type Logger,
} from "../../src/index.js";
import { clientFor, TEST_KEY } from "../helpers/client.js";
import { BALANCE } from "../helpers/faults.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { registerTeardown } from "../helpers/teardown.js";

const balancePath = "/api/v1/integration/user/{operatorUserId}/balance" as const;

/** A TCP server that answers every connection with the given raw bytes: for responses no HTTP server would send. */
async function rawServer(answer: string): Promise<string> {
  const server: Server = createServer((socket) => {
    socket.once("data", () => socket.end(answer));
  });
  registerTeardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe("raw calls", () => {
  it("end at once when the caller's signal aborts, not at the client's timeout", async () => {
    const server = await startScriptedServer(() => {}); // never answers
    const { raw } = clientFor(server.url, { timeoutMs: 30_000 });
    const started = Date.now();
    const signal = AbortSignal.timeout(100);
    const error = await raw.GET(balancePath, { params: { path: { operatorUserId: "u1" } }, signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3AbortError);
    expect(Date.now() - started).toBeLessThan(10_000); // far below the 30 s timeout, with a loaded machine's slack
  });
});

describe("error.retryable is what the retry policy decided", () => {
  it("a status listed in retryOnStatus is retryable, one not listed is not", async () => {
    const server = await startScriptedServer((req, res) => reply(res, req.url.includes("teapot") ? 418 : 501));
    const enable3 = clientFor(server.url, { maxRetries: 1, initialDelayMs: 1, retryOnStatus: [418] });
    const teapot = await enable3.getUserBalance("teapot").catch((e: unknown) => e);
    expect(teapot).toMatchObject({ status: 418, retryable: true, attempts: 2 });
    const notImplemented = await enable3.getUserBalance("other").catch((e: unknown) => e);
    expect(notImplemented).toBeInstanceOf(Enable3ServerError);
    expect(notImplemented).toMatchObject({ status: 501, retryable: false, attempts: 1 });
  });
});

describe("response size", () => {
  it("stops reading a body past maxResponseBytes, with a typed error naming the limit, and does not retry", async () => {
    let written = 0;
    let socketClosed = false;
    const server = await startScriptedServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.socket?.once("close", () => (socketClosed = true));
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (written < 64 * 1024 * 1024 && !socketClosed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end();
      };
      pump();
    });
    const enable3 = clientFor(server.url, { maxRetries: 2, initialDelayMs: 1, maxResponseBytes: 1024 * 1024 });
    const error = await enable3.getUserBalance("u1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3ResponseTooLargeError);
    expect(error).toMatchObject({ limit: 1024 * 1024, status: 200, attempts: 1, retryable: false });
    expect((error as Error).message).toContain("maxResponseBytes (1048576 bytes)");
    expect(server.requests).toHaveLength(1);
    expect(written).toBeLessThan(16 * 1024 * 1024); // the client hung up long before the 64 MiB
  });

  it("refuses a declared Content-Length over the limit before reading", async () => {
    const server = await startScriptedServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": String(10 * 1024 * 1024) });
      res.write("{");
    });
    const error = await clientFor(server.url, { maxResponseBytes: 1000 })
      .getUserBalance("u1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3ResponseTooLargeError);
  });

  it("maxResponseBytes must be a whole number of bytes", () => {
    expect(() => clientFor("http://127.0.0.1:1", { maxResponseBytes: 0 })).toThrow(Enable3ValidationError);
    expect(() => clientFor("http://127.0.0.1:1", { maxResponseBytes: 1.5 })).toThrow(Enable3ValidationError);
  });
});

describe("redirects are recognised by what they are, not by an error's wording", () => {
  it("a browser's opaque redirect (status 0, type opaqueredirect) is a redirect, not a connection error to retry", async () => {
    let calls = 0;
    class OpaqueRedirect extends Response {
      override get type(): ResponseType {
        return "opaqueredirect";
      }
      override get status() {
        return 0;
      }
    }
    const browserLikeFetch = (async () => {
      calls++;
      return new OpaqueRedirect(null);
    }) as typeof fetch;
    const enable3 = createEnable3Client({
      apiKey: TEST_KEY,
      baseUrl: "http://127.0.0.1:1",
      fetch: browserLikeFetch,
      maxRetries: 3,
      initialDelayMs: 1,
    });
    const error = await enable3.getUserBalance("u1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3RedirectError);
    expect(error).not.toBeInstanceOf(Enable3ConnectionError);
    expect(calls).toBe(1);
  });

  it("a redirect names its status and where it pointed", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 302, "", { location: "https://elsewhere.example/x" }));
    const error = await clientFor(server.url)
      .getUserBalance("u1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3RedirectError);
    expect(error).toMatchObject({ status: 302 });
    expect((error as Error).message).toContain("HTTP 302 to https://elsewhere.example/x");
  });

  it("a network failure whose message mentions a redirect is still a retried connection error", async () => {
    let calls = 0;
    const fetch = (async () => {
      calls++;
      throw new TypeError("redirect count exceeded by a proxy");
    }) as typeof globalThis.fetch;
    const error = await createEnable3Client({ apiKey: TEST_KEY, baseUrl: "http://127.0.0.1:1", fetch, maxRetries: 1, initialDelayMs: 1 })
      .getUserBalance("u1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3ConnectionError);
    expect(calls).toBe(2);
  });
});

describe("a logger never changes a call's outcome", () => {
  it("a logger that throws on every line leaves a delivered call delivered", async () => {
    const server = await startScriptedServer((_req, res) => (server.requests.length === 1 ? reply(res, 503) : reply(res, 201)));
    const throwing = () => {
      throw new Error("log sink down");
    };
    const logger: Logger = { error: throwing, warn: throwing, info: throwing, debug: throwing };
    const enable3 = clientFor(server.url, { maxRetries: 2, initialDelayMs: 1, logger, logLevel: "debug" });
    await expect(enable3.sendEvent({ userId: "u", eventId: "e", value: 1 })).resolves.toMatchObject({ id: expect.any(String) });
    expect(server.requests).toHaveLength(2);
  });
});

describe("timer limits", () => {
  it.each(["timeoutMs", "deadlineMs", "maxRetryAfterMs", "initialDelayMs", "maxDelayMs"] as const)(
    "%s above 2^31-1 ms is refused (setTimeout would fire at once)",
    (option) => {
      expect(() => clientFor("http://127.0.0.1:1", { [option]: 2 ** 31 })).toThrow(Enable3ValidationError);
      expect(() => clientFor("http://127.0.0.1:1", { [option]: 2 ** 31 - 1 })).not.toThrow();
    },
  );

  it("a per-call timeoutMs above the limit is refused before anything is sent", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 200, BALANCE));
    await expect(clientFor(server.url).getUserBalance("u1", { timeoutMs: 2 ** 31 })).rejects.toBeInstanceOf(Enable3ValidationError);
    expect(server.requests).toEqual([]);
  });
});

describe("secrets in what a hostile server sends back", () => {
  it.each(["x-request-id", "request-id", "x-correlation-id", "x-amzn-requestid"])(
    "a key echoed in %s is redacted in serverRequestId, JSON and inspect",
    async (header) => {
      const server = await startScriptedServer((_req, res) => reply(res, 500, { message: "no" }, { [header]: `req-${TEST_KEY}` }));
      const error = await clientFor(server.url)
        .getUserBalance("u1")
        .catch((e: unknown) => e);
      expect((error as { serverRequestId: string }).serverRequestId).toBe("req-[redacted]");
      expect(JSON.stringify(error)).not.toContain(TEST_KEY);
      expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(TEST_KEY);
    },
  );

  it("a malformed status line echoing the key leaves no raw bytes in the cause chain", async () => {
    const url = await rawServer(`HTTP/1.1 2x0 ${TEST_KEY}\r\n\r\n`);
    const error = await clientFor(url)
      .getUserBalance("u1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3ConnectionError);
    expect(inspect(error, { depth: 20, showHidden: true })).not.toContain(TEST_KEY);
  });
});

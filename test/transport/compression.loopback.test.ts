// Compressed answers: a gzip or br body is decoded the same on both transports, and maxResponseBytes
// counts what it decodes to, so a small compressed body that unpacks to gigabytes is refused.
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { Enable3BadRequestError, Enable3ResponseTooLargeError, Enable3ValidationError } from "../../src/index.js";
import { clientFor } from "../helpers/client.js";
import { BALANCE } from "../helpers/faults.js";
import { startScriptedServer } from "../helpers/http-server.js";

const encoders = { gzip: gzipSync, br: brotliCompressSync, deflate: deflateSync };

describe("a compressed answer", () => {
  it.each(Object.keys(encoders) as (keyof typeof encoders)[])("in %s is decoded, for the methods and for raw", async (coding) => {
    const body = encoders[coding](Buffer.from(JSON.stringify(BALANCE)));
    const server = await startScriptedServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": coding, "content-length": String(body.length) });
      res.end(body);
    });
    const enable3 = clientFor(server.url);
    await expect(enable3.getUserBalance("u1")).resolves.toEqual(BALANCE);
    const { data, error } = await enable3.raw.GET("/api/v1/integration/user/{operatorUserId}/balance", {
      params: { path: { operatorUserId: "u1" } },
    });
    expect(error).toBeUndefined();
    expect(data).toEqual(BALANCE);
  });

  it("on an error status is decoded too: the API's reason reads as text, not binary", async () => {
    const body = gzipSync(Buffer.from(JSON.stringify({ message: "userId is unknown" })));
    const server = await startScriptedServer((_req, res) => {
      res.writeHead(400, { "content-type": "application/json", "content-encoding": "gzip", "content-length": String(body.length) });
      res.end(body);
    });
    const error = await clientFor(server.url)
      .getUserBalance("u1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3BadRequestError);
    expect((error as Error).message).toMatch(/failed with HTTP 400: userId is unknown$/);
  });

  it("that decodes to more than maxResponseBytes is refused, however small it was on the wire", async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20)); // 64 MiB of spaces, about 64 kB compressed
    expect(bomb.length).toBeLessThan(128 * 1024);
    const server = await startScriptedServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip", "content-length": String(bomb.length) });
      res.end(bomb);
    });
    const error = await clientFor(server.url, { maxResponseBytes: 1024 * 1024, maxRetries: 2, initialDelayMs: 1 })
      .getUserBalance("u1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3ResponseTooLargeError);
    expect(error).toMatchObject({ status: 200, limit: 1024 * 1024, attempts: 1, retryable: false });
  });

  it("Accept-Encoding is the transport's: refused in the client's and a call's headers", async () => {
    expect(() => clientFor("http://127.0.0.1:1", { headers: { "Accept-Encoding": "gzip" } })).toThrow(Enable3ValidationError);
    await expect(clientFor("http://127.0.0.1:1").getUserBalance("u1", { headers: { "accept-encoding": "br" } })).rejects.toMatchObject({
      name: "Enable3ValidationError",
      field: "requestOptions.headers.accept-encoding",
    });
  });
});

// A refused redirect's body: read when it is short (the socket serves the next call), never pulled
// when it is long or of unknown length (the connection is closed instead).
import { describe, expect, it, vi } from "vitest";
import { Enable3RedirectError } from "../../src/index.js";
import { clientFor, TRANSPORT } from "../helpers/client.js";
import { startScriptedServer } from "../helpers/http-server.js";

describe("a refused redirect", () => {
  it("with an endless body is not drained: the server stops writing long before its 256 MiB", async () => {
    let written = 0;
    const server = await startScriptedServer((_req, res) => {
      res.writeHead(302, { location: "https://elsewhere.example/" }); // chunked: no declared length
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let closed = false;
      res.once("close", () => (closed = true));
      const pump = () => {
        while (!closed && written < 256 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end();
      };
      pump();
    });
    const enable3 = clientFor(server.url, { maxRetries: 0 });
    for (let i = 0; i < 3; i++) await expect(enable3.getUserBalance("u1")).rejects.toBeInstanceOf(Enable3RedirectError);
    // once the client stopped reading, the server's writes stop (TCP pushes back, or the socket is gone)
    let last = -1;
    await vi.waitFor(
      () => {
        const settled = written === last;
        last = written;
        expect(settled).toBe(true);
      },
      { interval: 200, timeout: 30_000 },
    );
    expect(written).toBeLessThan(32 * 1024 * 1024);
  }, 60_000);

  it("with a short declared body leaves the connection for the next call", async () => {
    const server = await startScriptedServer((_req, res) => {
      res.writeHead(301, { location: "https://elsewhere.example/", "content-length": "13", "content-type": "text/plain" });
      res.end("Moved, sorry.");
    });
    const enable3 = clientFor(server.url, { maxRetries: 0 });
    for (let i = 0; i < 3; i++) await expect(enable3.getUserBalance("u1")).rejects.toBeInstanceOf(Enable3RedirectError);
    expect(server.requests).toHaveLength(3);
    // undici may hand the next call a new socket while the last one returns to its pool
    expect(server.sockets().length).toBeLessThanOrEqual(TRANSPORT === "node" ? 1 : 2);
    await enable3.close();
  });
});

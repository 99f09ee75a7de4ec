// Headers the transport writes itself (from the body, the URL, the route) are refused where they are
// given: one given by the caller would contradict them, e.g. Content-Length beside Transfer-Encoding.
import { describe, expect, it } from "vitest";
import { Enable3ValidationError } from "../../src/index.js";
import { clientFor } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";

describe("transport-owned headers", () => {
  it.each(["Transfer-Encoding", "content-length", "Host", "Connection", "Keep-Alive", "Upgrade", "Expect", "Proxy-Authorization"])(
    "%s is refused when the client is made, naming the header",
    (name) => {
      let error: unknown;
      try {
        clientFor("http://127.0.0.1:1", { headers: { [name]: "x" } });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(Enable3ValidationError);
      expect(error).toMatchObject({ field: `options.headers.${name}` });
      expect((error as Error).message).toContain("is written by the transport itself");
    },
  );

  it("in a call's headers is refused before anything is sent", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 201));
    const enable3 = clientFor(server.url);
    await expect(
      enable3.sendEvent({ userId: "u", eventId: "e", value: 1 }, { headers: { "transfer-encoding": "chunked" } }),
    ).rejects.toBeInstanceOf(Enable3ValidationError);
    expect(server.requests).toEqual([]);
  });

  it("what the transport writes is one length, never a length beside a chunked encoding", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 201));
    await clientFor(server.url).sendEvent({ userId: "u", eventId: "e", value: 1 });
    const [request] = server.requests;
    expect(request!.headers["content-length"]).toBe(String(Buffer.byteLength(request!.body)));
    expect(request!.headers["transfer-encoding"]).toBeUndefined();
    expect(request!.headers.host).toBe(new URL(server.url).host);
  });
});

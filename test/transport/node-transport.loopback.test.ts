// The Node entry's own transport: chosen when no fetch is given, never touching the global fetch;
// a given fetch wins; close() frees the sockets (process-exit.mock.test.ts: an idle client never keeps a process alive).
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { createEnable3Client } from "../../src/index.node.js";
import { clientFor, TEST_KEY, TRANSPORT } from "../helpers/client.js";
import { BALANCE } from "../helpers/faults.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";

describe("transport choice", () => {
  it(`clientFor in this project uses the ${TRANSPORT} transport`, async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 200, BALANCE));
    const spy = vi.spyOn(globalThis, "fetch");
    onTestFinished(() => void spy.mockRestore());
    await clientFor(server.url).getUserBalance("u1");
    expect(spy.mock.calls.length).toBe(TRANSPORT === "node" ? 0 : 1);
  });

  it("on Node, a given fetch wins over the node:http transport", async () => {
    const calls: string[] = [];
    const fetch = (async (url: string) => {
      calls.push(url);
      return new Response(JSON.stringify(BALANCE), { status: 200 });
    }) as typeof globalThis.fetch;
    await createEnable3Client({ apiKey: TEST_KEY, baseUrl: "http://127.0.0.1:1", fetch }).getUserBalance("u1");
    expect(calls).toEqual(["http://127.0.0.1:1/api/v1/integration/user/u1/balance"]);
  });

  it("raw calls that ask to follow a redirect do, on the Node transport too", async () => {
    const target = await startScriptedServer((_req, res) => reply(res, 200, BALANCE));
    const server = await startScriptedServer((req, res) => reply(res, 307, "", { location: `${target.url}${req.url}` }));
    const { raw } = createEnable3Client({ apiKey: TEST_KEY, baseUrl: server.url });
    const { data } = await raw.GET("/api/v1/integration/user/{operatorUserId}/balance", {
      params: { path: { operatorUserId: "u1" } },
      redirect: "follow",
    });
    expect(data).toEqual(BALANCE);
  });
});

describe("connections", () => {
  it("close() ends the keep-alive sockets; a later call opens a new one", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 200, BALANCE));
    const enable3 = createEnable3Client({ apiKey: TEST_KEY, baseUrl: server.url });
    await enable3.getUserBalance("u1");
    await enable3.getUserBalance("u1");
    expect(server.sockets()).toHaveLength(1); // kept alive and reused
    await enable3.close();
    await expect.poll(() => server.sockets()).toHaveLength(0);
    await expect(enable3.getUserBalance("u1")).resolves.toEqual(BALANCE);
  });
});

describe("a request node:http refuses", () => {
  it("ends the attempt as an invalid request, with no timer or listener armed", async () => {
    const { createHttpTransport } = await import("../../src/transport/http-transport.js");
    const transport = createHttpTransport(undefined, undefined);
    onTestFinished(() => transport.close());
    const settings = {
      timeoutMs: 60_000,
      deadlineMs: 120_000,
      maxResponseBytes: 1024,
      maxRetries: 0,
      initialDelayMs: 1,
      maxDelayMs: 1,
      maxRetryAfterMs: 1,
      retryOnStatus: [],
    };
    const controller = new AbortController();
    const spy = vi.spyOn(globalThis, "setTimeout");
    const listen = vi.spyOn(controller.signal, "addEventListener");
    onTestFinished(() => {
      vi.restoreAllMocks();
    });
    const request = {
      plain: true,
      url: "http://127.0.0.1:1/a b",
      method: "GET",
      headers: new Headers(),
      body: undefined,
      redirect: "error" as const,
    };
    const outcome = await transport.attempt(request, { operation: "test", settings, attempts: 1 }, Date.now() + 120_000, controller.signal);
    expect(outcome.failure).toMatchObject({ kind: "invalid-request" });
    expect(spy).not.toHaveBeenCalled();
    expect(listen).not.toHaveBeenCalled();
  });
});

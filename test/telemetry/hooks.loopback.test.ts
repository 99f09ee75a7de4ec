// Hooks, for operators without OpenTelemetry: told each attempt, retry and failure with the operation,
// the attempt, the status and the elapsed time; a hook that throws changes nothing and is reported once.
import { describe, expect, it, vi } from "vitest";
import { Enable3BadRequestError } from "../../src/index.js";
import { clientFor } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";

describe("hooks", () => {
  it("are told each attempt, the retry and the failure, in order", async () => {
    const server = await startScriptedServer((_req, res) =>
      server.requests.length === 1 ? reply(res, 503) : reply(res, 400, { message: "bad" }),
    );
    const seen: string[] = [];
    const events: object[] = [];
    const note = (line: string, event: object) => {
      seen.push(line);
      events.push(event);
    };
    const enable3 = clientFor(server.url, {
      maxRetries: 2,
      initialDelayMs: 1,
      hooks: {
        onRequest: (e) => note(`request ${e.attempt}`, e),
        onResponse: (e) => note(`response ${e.attempt} ${e.status}`, e),
        onRetry: (e) => note(`retry after ${e.attempt} (${e.status})`, e),
        onError: (e) => note(`error ${e.error.name} ${e.status}`, e),
      },
    });
    const error = await enable3.sendEvent({ userId: "u", eventId: "e", value: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3BadRequestError);
    expect(seen).toEqual([
      "request 1",
      "response 1 503",
      "retry after 1 (503)",
      "request 2",
      "response 2 400",
      "error Enable3BadRequestError 400",
    ]);
    for (const event of events) expect(event).toMatchObject({ operation: "sendEvent", method: "POST", urlTemplate: "/api/v1/event" });
    expect(events[1]).toMatchObject({ elapsedMs: expect.any(Number) });
    expect(events[2]).toMatchObject({ delayMs: expect.any(Number), failure: undefined });
    expect((events[5] as { error: unknown }).error).toBe(error); // the very error the caller got
  });

  it("a hook that throws changes nothing, and is reported once through the logger", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 201));
    const warn = vi.fn();
    const logger = { error: () => {}, warn, info: () => {}, debug: () => {} };
    const enable3 = clientFor(server.url, {
      logger,
      logLevel: "warn",
      hooks: {
        onRequest: () => {
          throw new Error("metrics sink down");
        },
      },
    });
    for (let i = 0; i < 3; i++)
      await expect(enable3.sendEvent({ userId: "u", eventId: "e", value: i })).resolves.toMatchObject({ id: expect.any(String) });
    expect(server.requests).toHaveLength(3);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toBe(
      "[enable3] the client's onRequest hook threw (Error: metrics sink down); the client went on, and later throws of this hook are not reported",
    );
  });

  it("with no logger listening, the report is a process warning, once", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 201));
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on("warning", onWarning);
    try {
      const enable3 = clientFor(server.url, {
        hooks: {
          onResponse: () => {
            throw new TypeError("oops");
          },
        },
      });
      await enable3.sendEvent({ userId: "u", eventId: "e", value: 1 });
      await enable3.sendEvent({ userId: "u", eventId: "e", value: 2 });
      await new Promise((r) => setImmediate(r)); // process warnings are emitted on the next tick
      expect(warnings.filter((w) => w.includes("onResponse hook threw"))).toEqual([
        "[enable3] the client's onResponse hook threw (TypeError: oops); the client went on, and later throws of this hook are not reported",
      ]);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("are checked when the client is made", async () => {
    const { Enable3ValidationError } = await import("../../src/index.js");
    expect(() => clientFor("http://127.0.0.1:1", { hooks: { onRequst: () => {} } as never })).toThrow(Enable3ValidationError);
    expect(() => clientFor("http://127.0.0.1:1", { hooks: { onRequest: 5 } as never })).toThrow(
      /options\.hooks\.onRequest must be a function/,
    );
    expect(() => clientFor("http://127.0.0.1:1", { telemetry: { api: {} } as never })).toThrow(
      /options\.telemetry must be openTelemetry\(\) from "enable3-client\/opentelemetry", or false/,
    );
  });
});

describe("an async hook", () => {
  it("that rejects changes nothing and is reported once: no unhandled rejection", async () => {
    const server = await startScriptedServer((_req, res) => (server.requests.length % 2 === 1 ? reply(res, 503) : reply(res, 201)));
    const warn = vi.fn();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const enable3 = clientFor(server.url, {
        maxRetries: 1,
        initialDelayMs: 1,
        logger: { error() {}, warn, info() {}, debug() {} },
        logLevel: "warn",
        hooks: {
          onRetry: async () => {
            throw new Error("async metrics sink down");
          },
        },
      });
      for (let i = 0; i < 2; i++)
        await expect(enable3.sendEvent({ userId: "u", eventId: "e", value: i })).resolves.toMatchObject({ id: expect.any(String) });
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]![0]).toMatch(/the client.s onRetry hook threw \(Error: async metrics sink down\)/);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});

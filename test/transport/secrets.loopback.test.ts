// The key never leaks: not in errors (message, toString, JSON, inspect, cause), log lines or bodies.
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { createEnable3Client, Enable3Error, type Logger } from "../../src/index.js";
import { clientFor, TEST_KEY } from "../helpers/client.js";
import { scriptedFaultServer } from "../helpers/fault-server.js";
import { resetMidResponse } from "../helpers/faults.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";

function recordingLogger() {
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);
  const logger: Logger = { error: log, warn: log, info: log, debug: log };
  return { logger, lines };
}

/** Every string the error exposes, its causes included. */
function everyString(error: unknown): string[] {
  const out: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    out.push(String(e), inspect(e, { depth: 10, showHidden: true }));
    try {
      out.push(JSON.stringify(e));
    } catch {
      // cyclic causes cannot be stringified; inspect covered them
    }
  }
  return out;
}

describe("secrets", () => {
  it("no error or log line of a failing run contains the key", async () => {
    const echo = (res: Parameters<typeof reply>[0]) =>
      reply(res, 401, `<html>key ${TEST_KEY} rejected</html>`, { "content-type": "text/html" });
    const server = await scriptedFaultServer((res) => reply(res, 503, { echoed: TEST_KEY }), resetMidResponse, echo);

    const { logger, lines } = recordingLogger();
    const enable3 = clientFor(server.url, { maxRetries: 2, initialDelayMs: 1, logger, logLevel: "debug" });
    const errors: unknown[] = [];
    await enable3.getUserBalance("u1").catch((e: unknown) => errors.push(e));
    await enable3.sendEvent({ userId: "u1", eventId: "e", value: 1 }).catch((e: unknown) => errors.push(e));
    expect(errors).toHaveLength(2);
    expect(lines.length).toBeGreaterThan(0);
    for (const text of [...errors.flatMap(everyString), ...lines]) expect(text).not.toContain(TEST_KEY);
    expect(inspect(enable3, { depth: 10, showHidden: true })).not.toContain(TEST_KEY);
  });

  it.each([200, 401])("a raw call answered %i returns the echoed key redacted: body, headers, status text", async (status) => {
    const server = await startScriptedServer((_req, res) => {
      res.writeHead(status, `echo ${TEST_KEY}`, { "content-type": "application/json", "x-echo": `key=${TEST_KEY}` });
      res.end(JSON.stringify({ balance: "1", echoed: TEST_KEY }));
    });
    const enable3 = clientFor(server.url);
    const { data, error, response } = await enable3.raw.GET("/api/v1/integration/user/{operatorUserId}/balance", {
      params: { path: { operatorUserId: "u1" } },
    });
    expect(data ?? error).toEqual({ balance: "1", echoed: "[redacted]" });
    expect(response.status).toBe(status);
    expect(response.headers.get("x-echo")).toBe("key=[redacted]");
    expect(response.statusText).not.toContain(TEST_KEY);
  });

  it("connection errors to a dead port carry no key in their cause chain", async () => {
    const enable3 = createEnable3Client({ apiKey: TEST_KEY, baseUrl: "http://127.0.0.1:1", maxRetries: 0 });
    const error = await enable3.getUserBalance("u1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3Error);
    for (const text of everyString(error)) expect(text).not.toContain(TEST_KEY);
  });
});

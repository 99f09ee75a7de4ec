// The key never leaks: not in errors (message, toString, JSON, inspect, cause), log lines or bodies.
import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { createEnable3Client, Enable3Error, type Logger } from "../../src/index.js";
import { clientFor, TEST_KEY } from "../helpers/client.js";
import { reply } from "../helpers/http-server.js";
import { resetMidResponse } from "./faults.js";
import { scriptedFaultServer } from "./script.js";

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

let close: () => Promise<void> = async () => {};
afterEach(() => close());

describe("secrets", () => {
  it("no error or log line of a failing run contains the key", async () => {
    const echo = (res: Parameters<typeof reply>[0]) =>
      reply(res, 401, `<html>key ${TEST_KEY} rejected</html>`, { "content-type": "text/html" });
    const server = await scriptedFaultServer((res) => reply(res, 503, { echoed: TEST_KEY }), resetMidResponse, echo);
    close = server.close;
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

  it("connection errors to a dead port carry no key in their cause chain", async () => {
    const enable3 = createEnable3Client({ apiKey: TEST_KEY, baseUrl: "http://127.0.0.1:1", maxRetries: 0 });
    const error = await enable3.getUserBalance("u1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3Error);
    for (const text of everyString(error)) expect(text).not.toContain(TEST_KEY);
  });
});

describe("logging", () => {
  it("is off by default", async () => {
    const server = await scriptedFaultServer((res) => reply(res, 503), (res) => reply(res, 201));
    close = server.close;
    const { logger, lines } = recordingLogger();
    await clientFor(server.url, { maxRetries: 1, initialDelayMs: 1, logger }).sendEvent({ userId: "u", eventId: "e", value: 1 });
    expect(lines).toEqual([]);
  });

  it("logs one debug line per attempt with method, path, status, attempt and wait", async () => {
    const server = await scriptedFaultServer((res) => reply(res, 503, "", { "retry-after-ms": "5" }), (res) => reply(res, 201));
    close = server.close;
    const { logger, lines } = recordingLogger();
    await clientFor(server.url, { maxRetries: 2, logger, logLevel: "debug" }).sendEvent({ userId: "u", eventId: "e", value: 1 });
    expect(lines).toEqual([
      "[enable3] sendEvent POST /api/v1/event -> 503 (attempt 1 of 3)",
      "[enable3] sendEvent POST /api/v1/event: retrying in 5 ms",
      "[enable3] sendEvent POST /api/v1/event -> 201 (attempt 2 of 3)",
    ]);
  });

  it("at warn level, says only when it gives up early", async () => {
    const server = await scriptedFaultServer((res) => reply(res, 503));
    close = server.close;
    const { logger, lines } = recordingLogger();
    const enable3 = clientFor(server.url, { maxRetries: 1, initialDelayMs: 1, logger, logLevel: "warn", retryBudget: { capacity: 5 } });
    await enable3.getUserBalance("u1").catch(() => {});
    await enable3.getUserBalance("u1").catch(() => {});
    expect(lines).toEqual(["[enable3] getUserBalance GET /api/v1/integration/user/u1/balance: retry budget exhausted; failing fast"]);
  });
});

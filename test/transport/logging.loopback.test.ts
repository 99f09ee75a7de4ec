// Logging: off by default, one line per attempt at debug, and only the give-up notice at warn.
import { describe, expect, it } from "vitest";
import type { Logger } from "../../src/index.js";
import { clientFor } from "../helpers/client.js";
import { scriptedFaultServer } from "../helpers/fault-server.js";
import { reply } from "../helpers/http-server.js";

function recordingLogger() {
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);
  const logger: Logger = { error: log, warn: log, info: log, debug: log };
  return { logger, lines };
}

describe("logging", () => {
  it("is off by default", async () => {
    const server = await scriptedFaultServer(
      (res) => reply(res, 503),
      (res) => reply(res, 201),
    );

    const { logger, lines } = recordingLogger();
    await clientFor(server.url, { maxRetries: 1, initialDelayMs: 1, logger }).sendEvent({ userId: "u", eventId: "e", value: 1 });
    expect(lines).toEqual([]);
  });

  it("logs one debug line per attempt with method, path, status, attempt and wait", async () => {
    const server = await scriptedFaultServer(
      (res) => reply(res, 503, "", { "retry-after-ms": "5" }),
      (res) => reply(res, 201),
    );

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

    const { logger, lines } = recordingLogger();
    const enable3 = clientFor(server.url, { maxRetries: 1, initialDelayMs: 1, logger, logLevel: "warn", retryBudget: { capacity: 5 } });
    await enable3.getUserBalance("u1").catch(() => {});
    await enable3.getUserBalance("u1").catch(() => {});
    expect(lines).toEqual(["[enable3] getUserBalance GET /api/v1/integration/user/u1/balance: retry budget exhausted; failing fast"]);
  });
});

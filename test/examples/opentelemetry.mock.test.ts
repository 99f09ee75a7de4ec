// examples/opentelemetry run as documented: a Node client with no telemetry option finds the installed
// @opentelemetry/api, and the console exporter prints its spans, the key and the user id nowhere.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { expect, inject, it } from "vitest";
import { TEST_KEY } from "../helpers/client.js";
import { ROOT } from "../helpers/process.js";

it("prints a span per call and per attempt, children of the app's span, without the key or the user id", async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(ROOT, "examples/opentelemetry/console.mjs")], {
    cwd: ROOT,
    env: { ...process.env, ENABLE3_BASE_URL: inject("prismUrl"), ENABLE3_API_KEY: TEST_KEY },
  });
  for (const name of [
    "'POST /api/v1/event'",
    "'enable3.sendEvent'",
    "'GET /api/v1/integration/user/{operatorUserId}/balance'",
    "'enable3.getUserBalance'",
    "'POST /deposit'",
  ]) {
    expect(stdout).toContain(`name: ${name}`);
  }
  expect(stdout).toContain("'url.template': '/api/v1/event'");
  expect(stdout).toContain("'http.response.status_code': 201");
  const traceIds = new Set([...stdout.matchAll(/traceId: '([0-9a-f]{32})'/g)].map((m) => m[1]));
  expect(traceIds.size).toBe(1); // one trace: the app's span and everything under it
  expect(stdout).not.toContain(TEST_KEY);
  expect(stdout).not.toContain("player-42");
});

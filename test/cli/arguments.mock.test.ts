// What the CLI makes of what an operator types: versions, near misses, negative numbers, dates,
// the flag named as typed, help with examples, and the API's own reason when it refuses.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { TEST_KEY } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { ROOT } from "../helpers/process.js";

const env = (url: string) => ({ ENABLE3_API_KEY: TEST_KEY, ENABLE3_BASE_URL: url });
const recordingServer = () =>
  startScriptedServer((req, res) => reply(res, req.method === "POST" ? 201 : 200, { balance: "1", userExists: true }));

describe("enable3 arguments", () => {
  it("--version prints the package version", async () => {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
    expect(await runCli(["--version"])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it("a whole-number flag is checked one way in every command: mcp --port and mock --port as import --concurrency", async () => {
    for (const args of [
      ["mcp", "--http", "--port", "70000"],
      ["mock", "--port", "70000"],
    ]) {
      const port = await runCli(args);
      expect(port).toMatchObject({ code: 2 });
      expect(port.stderr).toMatch(/^error: --port must be a whole number from 0 to 65,535, got 70000\n/);
    }
    expect((await runCli(["mock", "--port", "4010.5"])).stderr).toMatch(
      /^error: --port must be a whole number from 0 to 65,535, got 4010.5\n/,
    );
  });

  it("suggests the command or flag meant", async () => {
    const command = await runCli(["ballance", "u1"]);
    expect(command).toMatchObject({ code: 2 });
    expect(command.stderr).toBe('error: unknown command "ballance" (did you mean balance?)\nRun with --help for usage.\n');
    const flag = await runCli(["balance", "u1", "--base-ur", "http://127.0.0.1:1"], env("http://127.0.0.1:1"));
    expect(flag.stderr).toMatch(/^error: unknown option --base-ur \(did you mean --base-url\?\)\n/);
    // two letters swapped are one slip, as the SDK's option checks count them: --hsot is --host, not --json
    const swapped = await runCli(["mock", "--hsot", "127.0.0.1"]);
    expect(swapped.stderr).toMatch(/^error: unknown option --hsot \(did you mean --host\?\)\n/);
    const far = await runCli(["balance", "u1", "--bogus"], env("http://127.0.0.1:1"));
    expect(far.stderr).toMatch(/^error: unknown option --bogus\n/);
  });

  it("takes negative numbers as values", async () => {
    const server = await recordingServer();
    const result = await runCli(["revenue", "--revenue", "-5"], env(server.url));
    expect(result.code).toBe(0);
    expect(JSON.parse(server.requests[0]!.body).revenue).toBe(-5);
  });

  it("names the flag that was typed when a value is out of range", async () => {
    const result = await runCli(["balance", "u1", "--timeout-ms", "0"], env("http://127.0.0.1:1"));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: --timeout-ms must be a finite number from 1 to 2147483647, got 0\n/);
    expect(result.stderr).not.toContain("options.");
  });

  it.each([
    [["event", "--user", "u", "--event", "e", "--value", "1", "--created-at", "yesterday"], "--created-at"],
    [["revenue", "--revenue", "1", "--date", "garbage"], "--date"],
    [["revenue", "--revenue", "1", "--date", "2024-02-31 10:00:00"], "--date"],
  ])("refuses a date it cannot read before sending: %j", async (args, flag) => {
    const server = await recordingServer();
    const result = await runCli(args, env(server.url));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(`${flag} (must be "yyyy-MM-dd HH:mm:ss" \\(UTC\\), ISO 8601 with a zone.*|is not a real date and time), got "`),
    );
    expect(server.requests).toEqual([]);
  });

  it("sends a date in either form as the API's format", async () => {
    const server = await recordingServer();
    await runCli(["event", "--user", "u", "--event", "e", "--value", "1", "--created-at", "2024-02-22T12:00:00+02:00"], env(server.url));
    await runCli(["revenue", "--revenue", "1", "--date", "2024-02-22 10:00:00"], env(server.url));
    expect(server.requests.map((r) => JSON.parse(r.body).createdAt ?? JSON.parse(r.body).date)).toEqual([
      "2024-02-22 10:00:00",
      "2024-02-22 10:00:00",
    ]);
  });

  it.each(["balance", "widget-url", "token", "event", "revenue", "segments", "websites", "import", "mock", "callback"])(
    "enable3 %s --help has an example",
    async (command) => {
      const result = await runCli([command, "--help"]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/Examples?:\n {2}\S/);
    },
  );

  it("import --help describes the NDJSON fields", async () => {
    const { stdout } = await runCli(["import", "--help"]);
    expect(stdout).toMatch(/events: +\{"userId": "u1", "eventId": "deposit", "value": 50/);
    expect(stdout).toMatch(/revenue: +\{"revenue": 1250\.5/);
  });

  it("prints the API's reason when it refuses", async () => {
    const server = await startScriptedServer((_req, res) =>
      reply(res, 400, { message: 'eventId "depositt" is not configured for this operator' }),
    );
    const result = await runCli(["event", "--user", "u", "--event", "depositt", "--value", "1"], env(server.url));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^Enable3BadRequestError: sendEvent POST \/api\/v1\/event failed with HTTP 400: eventId "depositt" is not configured for this operator\nIt was sent with --id [0-9a-f-]{36}: /,
    );
  });
});

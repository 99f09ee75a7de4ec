// enable3 mcp --outbox-dir: a sent event, revenue report or segment change is stored in a fileStore
// outbox before the tool answers, and reaches a recording server under the id the tool returned; --http answers the
// SDK's streamable HTTP client, from this machine's loopback only.
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { request } from "node:http";
import { type AddressInfo, createServer } from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, startCli } from "../helpers/cli.js";
import { TEST_KEY } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { connectMcp, connectMcpHttp, resultOf } from "../helpers/mcp.js";
import { registerTeardown } from "../helpers/teardown.js";
import { makeTempDir } from "../helpers/temp-dir.js";

describe("enable3 mcp writes through an outbox", () => {
  it("events and revenue enqueued in a fileStore reach the API under the ids the tools returned", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 201));
    const dir = await makeTempDir("enable3-mcp-outbox");
    const mcp = await connectMcp(["--allow-writes", "--outbox-dir", dir], { ENABLE3_API_KEY: TEST_KEY, ENABLE3_BASE_URL: server.url });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const sent = resultOf(
        await mcp.client.callTool({ name: "enable3_send_event", arguments: { userId: `u${i}`, eventId: "deposit", value: 10 + i } }),
      );
      expect(sent.data).toMatchObject({ delivery: "queued in the outbox" });
      ids.push(sent.data.id as string);
    }
    const chosen = resultOf(
      await mcp.client.callTool({
        name: "enable3_send_event",
        arguments: { id: "mcp-event-7", userId: "u7", eventId: "deposit", value: 7 },
      }),
    );
    expect(chosen.data.id).toBe("mcp-event-7");
    ids.push("mcp-event-7");
    const revenue = resultOf(await mcp.client.callTool({ name: "enable3_send_revenue", arguments: { revenue: 99.5 } }));
    expect(revenue.data).toMatchObject({ delivery: "queued in the outbox" });

    await expect.poll(() => server.requests.length, { timeout: 15_000, interval: 50 }).toBeGreaterThanOrEqual(5);
    const events = server.requests.filter((r) => r.url === "/api/v1/event").map((r) => JSON.parse(r.body) as { id: string; value: number });
    expect(events.map((e) => e.id).sort()).toEqual([...ids].sort());
    const reports = server.requests.filter((r) => r.url === "/api/v1/revenue").map((r) => JSON.parse(r.body) as { requestId: string });
    expect(reports).toEqual([expect.objectContaining({ requestId: revenue.data.requestId, revenue: 99.5 })]);
    for (const id of [...ids, revenue.data.requestId as string]) expect(mcp.stderr()).toContain(`"id":"${id}","outcome":"ok"`);
    expect(mcp.stderr()).not.toContain(TEST_KEY);
  });

  it("what the API did not take before a stop goes out on the next start, under the id the tool returned", async () => {
    const down = await startScriptedServer((_req, res) => reply(res, 503));
    const dir = await makeTempDir("enable3-mcp-outbox");
    const args = ["--allow-writes", "--outbox-dir", dir, "--max-retries", "0"];
    const first = await connectMcp(args, { ENABLE3_API_KEY: TEST_KEY, ENABLE3_BASE_URL: down.url });
    const sent = resultOf(
      await first.client.callTool({ name: "enable3_send_event", arguments: { userId: "u1", eventId: "deposit", value: 5 } }),
    );
    const id = sent.data.id as string;
    await expect.poll(first.stderr, { timeout: 15_000, interval: 50 }).toContain(`sendEvent ${id} attempt 1 failed`);
    // the end of its input stops the CLI; the SDK's close() would SIGTERM it after 2 s and SIGKILL it after
    // 4, before a loaded machine's CLI printed its last line: wait for the CLI's own exit instead
    const cli = (first.client.transport as unknown as { _process: ChildProcess })._process;
    const exited = new Promise((resolve) => cli.once("close", resolve));
    cli.stdin!.end();
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 30_000))]);
    await first.close();
    expect(first.stderr()).toContain(`1 not yet delivered stay in the outbox in ${dir}`);

    const up = await startScriptedServer((_req, res) => reply(res, 201));
    const second = await connectMcp(args, { ENABLE3_API_KEY: TEST_KEY, ENABLE3_BASE_URL: up.url });
    await expect.poll(() => up.requests.length, { timeout: 15_000, interval: 50 }).toBe(1);
    expect(JSON.parse(up.requests[0]!.body)).toMatchObject({ id, userId: "u1", value: 5 });
    await second.close();
  }, 60_000);

  it("a player's segment changes go through the outbox in the order given: a remove waits for the assign the API refused once", async () => {
    const server = await startScriptedServer((_req, res, index) => reply(res, index === 0 ? 503 : 200));
    const dir = await makeTempDir("enable3-mcp-outbox");
    const mcp = await connectMcp(["--allow-writes", "--outbox-dir", dir], { ENABLE3_API_KEY: TEST_KEY, ENABLE3_BASE_URL: server.url });
    const assignments = [{ userId: "u1", segmentIds: ["vip"] }];
    const assigned = resultOf(await mcp.client.callTool({ name: "enable3_assign_segments", arguments: { assignments } }));
    const removed = resultOf(await mcp.client.callTool({ name: "enable3_remove_segments", arguments: { assignments } }));
    expect(assigned.data).toMatchObject({ delivery: "queued in the outbox", ids: [expect.any(String)] });
    expect(removed.data).toMatchObject({ delivery: "queued in the outbox", ids: [expect.any(String)] });
    await expect.poll(() => server.requests.length, { timeout: 15_000, interval: 50 }).toBe(3);
    // the first assign was refused (503): without the order per player the remove would have gone first
    expect(server.requests.map((r) => r.method)).toEqual(["POST", "POST", "DELETE"]);
    await mcp.close();
  });

  it("a directory another enable3 mcp holds is refused with exit code 2, before serving", async () => {
    const dir = await makeTempDir("enable3-mcp-outbox");
    const env = { ENABLE3_API_KEY: TEST_KEY, ENABLE3_BASE_URL: "http://127.0.0.1:1" };
    const holder = await connectMcp(["--outbox-dir", dir], env);
    await expect.poll(holder.stderr, { timeout: 15_000, interval: 50 }).toContain("serving over stdio");
    const second = await runCli(["mcp", "--outbox-dir", dir], env, "");
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/^error: .*\n/m); // after the outbox's own onError line, which tells the same failure as it happens
    expect(second.stderr).not.toContain("serving");
  });
});

describe("enable3 mcp --http", () => {
  it("a port in use ends the run with exit code 1, its outbox closed (its directory free for the next run)", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    registerTeardown(() => new Promise((resolve) => taken.close(resolve)));
    const { port } = taken.address() as AddressInfo;
    const dir = await makeTempDir("enable3-mcp-outbox");
    const result = await runCli(["mcp", "--http", "--port", String(port), "--outbox-dir", dir], {
      ENABLE3_API_KEY: TEST_KEY,
      ENABLE3_BASE_URL: "http://127.0.0.1:1",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("EADDRINUSE");
    expect(existsSync(path.join(dir, "lock"))).toBe(false); // closed: the directory is free for the next run
  });

  it("answers the SDK's StreamableHTTPClientTransport on 127.0.0.1, and refuses another Host or Origin", async () => {
    const cli = startCli(["mcp", "--http"], { ENABLE3_API_KEY: TEST_KEY, ENABLE3_BASE_URL: "http://127.0.0.1:1" });
    await expect.poll(cli.stderr, { timeout: 15_000, interval: 50 }).toMatch(/serving http:/);
    const url = /serving (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(cli.stderr())![1]!;
    const client = await connectMcpHttp(url);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual([
      "enable3_get_user_balance",
      "enable3_get_widget_url",
      "enable3_get_user_token",
      "enable3_check_connection",
    ]);
    const statusFor = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = request(url, { method: "POST", headers: { "content-type": "application/json", ...headers } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.once("error", reject);
        req.end("{}");
      });
    // a page elsewhere reaching 127.0.0.1 through DNS rebinding (its Host), or from the browser (its Origin)
    expect(await statusFor({ host: "evil.example" })).toBe(403);
    expect(await statusFor({ origin: "http://evil.example" })).toBe(403);
    cli.child.kill("SIGTERM");
    const ended = await cli.result;
    expect(ended.code).toBe(0);
    expect(ended.stderr).toContain("stopping (SIGTERM)");
  });
});

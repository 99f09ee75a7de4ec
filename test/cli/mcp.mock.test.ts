// enable3 mcp over stdio, driven by the MCP SDK's own client against the bundled Prism mock: which
// tools are listed, writes refused unless allowed, the SDK's validation named per argument, sign-in
// links withheld by default, the input schemas taken from the bundled spec, and no secret in any result.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { TEST_KEY } from "../helpers/client.js";
import { connectMcp, resultOf } from "../helpers/mcp.js";
import { ROOT } from "../helpers/process.js";

const env = { ENABLE3_API_KEY: TEST_KEY, ENABLE3_BASE_URL: inject("prismUrl") };
const READS = ["enable3_get_user_balance", "enable3_get_widget_url", "enable3_get_user_token", "enable3_check_connection"];
const WRITES = ["enable3_send_event", "enable3_send_revenue", "enable3_assign_segments", "enable3_remove_segments", "enable3_add_websites"];
const spec = JSON.parse(readFileSync(path.join(ROOT, "openapi/enable3.openapi.json"), "utf8"));

describe("enable3 mcp", () => {
  it("lists the reads only, and the writes too with --allow-writes", async () => {
    const readOnly = await connectMcp([], env);
    const listed = (await readOnly.client.listTools()).tools;
    expect(listed.map((t) => t.name)).toEqual(READS);
    expect(listed.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
    const writable = await connectMcp(["--allow-writes"], env);
    const all = (await writable.client.listTools()).tools;
    expect(all.map((t) => t.name)).toEqual([...READS, ...WRITES]);
    expect(all.find((t) => t.name === "enable3_remove_segments")?.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
    });
    expect(writable.stderr()).toContain("writes allowed");
  });

  it("builds each input schema from the bundled spec: its fields, descriptions and required ones", async () => {
    const { client } = await connectMcp(["--allow-writes"], env);
    const tools = Object.fromEntries((await client.listTools()).tools.map((t) => [t.name, t]));
    const event = spec.components.schemas.AppEventDto;
    const schema = tools.enable3_send_event!.inputSchema as { properties: Record<string, { description?: string }>; required: string[] };
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(event.properties).sort());
    expect(schema.properties.createdAt!.description).toContain(event.properties.createdAt.description);
    // the SDK fills in id and createdAt: the only fields made optional
    expect(schema.required.sort()).toEqual(event.required.filter((f: string) => f !== "id" && f !== "createdAt").sort());
    const widget = tools.enable3_get_widget_url!.inputSchema as {
      properties: Record<string, { description?: string }>;
      required: string[];
    };
    const parameters = spec.paths["/api/v1/integration/user/{operatorUserId}/widget"].get.parameters;
    expect(Object.keys(widget.properties)).toEqual(parameters.map((p: { name: string }) => p.name));
    expect(widget.required).toEqual(["operatorUserId"]);
    const segments = tools.enable3_assign_segments!.inputSchema as unknown as {
      properties: { assignments: { items: { required: string[] } } };
    };
    expect(segments.properties.assignments.items.required).toEqual(spec.components.schemas.SegmentUserDto.required);
    expect(JSON.stringify(tools)).not.toContain("$ref");
  });

  it("refuses a write without --allow-writes, and sends nothing", async () => {
    const mcp = await connectMcp([], env);
    const refused = resultOf(
      await mcp.client.callTool({ name: "enable3_send_event", arguments: { userId: "u1", eventId: "deposit", value: 5 } }),
    );
    expect(refused.isError).toBe(true);
    expect(refused.data.error).toMatchObject({ code: "writes_not_allowed" });
    expect(refused.text).toContain("--allow-writes");
    expect(mcp.stderr()).not.toContain("audit");
  });

  it("a validation error is a tool error naming the argument, with the SDK's message", async () => {
    const { client } = await connectMcp(["--allow-writes"], env);
    const call = async (name: string, args: Record<string, unknown>) => resultOf(await client.callTool({ name, arguments: args }));
    const value = await call("enable3_send_event", { userId: "u1", eventId: "deposit", value: "fifty" });
    expect(value.isError).toBe(true);
    expect(value.data.error).toEqual({ code: "validation_failed", field: "value", message: "value must be a finite number, got string" });
    const segments = await call("enable3_assign_segments", { assignments: [{ userId: "u1", segmentIds: [] }] });
    expect(segments.data.error).toMatchObject({ field: "assignments[0].segmentIds" });
    const website = await call("enable3_add_websites", { websites: ["not-a-url"] });
    expect(website.data.error).toMatchObject({ field: "websites[0]" });
    const typo = await call("enable3_get_user_balance", { userID: "u1" });
    expect(typo.data.error).toMatchObject({ field: "userID", message: expect.stringContaining("it takes operatorUserId") });
  });

  it("withholds widget URLs and SDK tokens unless started with --allow-widget-urls, and still gives their expiry", async () => {
    const { client } = await connectMcp([], env);
    const widget = resultOf(await client.callTool({ name: "enable3_get_widget_url", arguments: { operatorUserId: "u1" } }));
    expect(widget.isError).toBe(false);
    expect(widget.data).toMatchObject({ urlWithheld: true, expiresAt: "2100-01-01T00:00:00.000Z" });
    expect(widget.text).not.toMatch(/https:|token=/);
    const token = resultOf(await client.callTool({ name: "enable3_get_user_token", arguments: { operatorUserId: "u1" } }));
    expect(token.data).toMatchObject({ tokenWithheld: true, expiresAt: "2100-01-01T00:00:00.000Z" });
    expect(token.text).not.toContain("eyJ");

    const allowed = await connectMcp(["--allow-widget-urls"], env);
    const shown = resultOf(await allowed.client.callTool({ name: "enable3_get_widget_url", arguments: { operatorUserId: "u1" } }));
    expect(shown.data.url).toMatch(/^https:\/\/widget\.enable3\.io\/\?token=/);
    const jwt = resultOf(await allowed.client.callTool({ name: "enable3_get_user_token", arguments: { operatorUserId: "u1" } }));
    expect(jwt.data.token).toMatch(/^eyJ/);
  });

  it("every tool's result, and stderr, hold no API key or callback secret (0 hits)", async () => {
    const callbackSecret = "callback-secret-7c1d2e";
    const mcp = await connectMcp(["--allow-writes", "--allow-widget-urls"], { ...env, ENABLE3_CALLBACK_SECRET: callbackSecret });
    const calls: [string, Record<string, unknown>][] = [
      ["enable3_get_user_balance", { operatorUserId: "u1" }],
      ["enable3_get_widget_url", { operatorUserId: "u1", referralCode: "FRIEND10" }],
      ["enable3_get_user_token", { operatorUserId: "u1" }],
      ["enable3_check_connection", {}],
      ["enable3_send_event", { userId: "u1", eventId: "deposit", value: 50, eventTags: ["slots"] }],
      ["enable3_send_revenue", { revenue: 1250.5, date: "2024-02-22 10:00:00" }],
      ["enable3_assign_segments", { assignments: [{ userId: "u1", segmentIds: ["vip"] }] }],
      ["enable3_remove_segments", { assignments: [{ userId: "u1", segmentIds: ["vip"] }] }],
      ["enable3_add_websites", { websites: ["https://casino.example"] }],
      // errors too, and an assistant that pastes the key where it does not belong
      ["enable3_send_event", { userId: "u1", eventId: "deposit", value: "x" }],
      ["enable3_get_user_balance", { [TEST_KEY]: "u1" }],
    ];
    const texts: string[] = [];
    for (const [name, args] of calls) {
      const result = resultOf(await mcp.client.callTool({ name, arguments: args }));
      texts.push(result.text);
      if (texts.length <= 9) expect(result.isError, `${name}: ${result.text}`).toBe(false);
    }
    expect(resultOf(await mcp.client.callTool({ name: "enable3_check_connection", arguments: {} })).data).toMatchObject({ ok: true });
    expect(texts[10]).toContain("[redacted] is not an argument");
    const everything = [...texts, mcp.stderr()].join("\n");
    for (const secret of [TEST_KEY, callbackSecret]) expect(everything.split(secret).length - 1).toBe(0);
    // each write told on stderr as an audit line, under the id it returned
    const sent = JSON.parse(texts[4]!) as { id: string };
    expect(mcp.stderr()).toMatch(new RegExp(`enable3 mcp audit: .*"tool":"enable3_send_event","id":"${sent.id}","outcome":"ok"`));
    const assigned = JSON.parse(texts[6]!) as { auditId: string };
    expect(mcp.stderr()).toContain(`"id":"${assigned.auditId}","outcome":"ok"`);
    expect(mcp.stderr().match(/enable3 mcp audit: /g)).toHaveLength(6);
  });

  it("a proxy's password is in no result: the doctor and a failed call show the proxy redacted", async () => {
    const password = "proxy-pass-9f8e";
    const { client } = await connectMcp(["--max-retries", "0"], {
      ENABLE3_API_KEY: TEST_KEY,
      ENABLE3_BASE_URL: "https://integration.enable3.io",
      HTTPS_PROXY: `http://ops:${password}@127.0.0.1:9`,
      NODE_USE_ENV_PROXY: "1",
    });
    const doctor = resultOf(await client.callTool({ name: "enable3_check_connection", arguments: {} }));
    expect(doctor.data).toMatchObject({ ok: false, route: { proxy: { shown: "http://[redacted]@127.0.0.1:9", source: "HTTPS_PROXY" } } });
    const balance = resultOf(await client.callTool({ name: "enable3_get_user_balance", arguments: { operatorUserId: "u1" } }));
    expect(balance.data.error).toMatchObject({ name: "Enable3ProxyError" });
    for (const text of [doctor.text, balance.text]) expect(text).not.toContain(password);
  });
});

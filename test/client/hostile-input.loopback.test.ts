// Input a hostile or careless caller passes: every bad value is an Enable3ValidationError before
// anything is sent, and nothing in a query parameter's name can add or hide another parameter.
import { beforeEach, describe, expect, it } from "vitest";
import { createEnable3Client, Enable3ValidationError } from "../../src/index.js";
import { escapeHtml } from "../../src/widget.js";
import { clientFor, countingFetch } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";

const widgetServer = () => startScriptedServer((_req, res) => reply(res, 200, { url: "https://widget.example/?t=1" }));
const query = (url: string) => url.slice(url.indexOf("?") + 1);

describe("query parameters", () => {
  it.each([
    [{ "a&b": "1" }, "a%26b=1"],
    [{ "#frag": "x" }, "%23frag=x"],
    [{ "x=1&referralCode": "EVIL" }, "x%3D1%26referralCode=EVIL&referralCode=GOOD"],
    [{ "a b": "c d/é" }, "a%20b=c%20d%2F%C3%A9"],
  ])("%j is sent as one encoded parameter", async (params, expected) => {
    const server = await widgetServer();
    await clientFor(server.url).getWidgetUrl("u1", { params, referralCode: "GOOD" });
    const sent = query(server.requests[0]!.url);
    expect(sent.split("&").sort()).toEqual(
      [...expected.split("&"), ...(expected.includes("referralCode=GOOD") ? [] : ["referralCode=GOOD"])].sort(),
    );
    expect(new URL(server.requests[0]!.url, "http://x").searchParams.getAll("referralCode")).toEqual(["GOOD"]);
  });

  it("inherited keys are never sent", async () => {
    const server = await widgetServer();
    const params = Object.assign(Object.create({ inherited: "yes" }) as Record<string, string>, { own: "1" });
    await clientFor(server.url).getWidgetUrl("u1", { params });
    expect(query(server.requests[0]!.url)).toBe("own=1");
  });
});

describe("errors that used to escape as something else", () => {
  // each test its own counting fetch: "nothing was sent" must not depend on which test ran before
  let fetch: typeof globalThis.fetch;
  let calls: string[];
  let enable3: ReturnType<typeof createEnable3Client>;
  beforeEach(() => {
    ({ fetch, calls } = countingFetch());
    enable3 = createEnable3Client({ apiKey: "k", baseUrl: "http://127.0.0.1:1", fetch });
  });

  it("a getter that throws is a validation error naming the field", async () => {
    const event = {
      userId: "u",
      eventId: "e",
      get value(): number {
        throw new Error("boom");
      },
    };
    const error = await enable3.sendEvent(event).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3ValidationError);
    expect(error).toMatchObject({ field: "event.value" });
    expect(calls).toEqual([]);
  });

  it("a lone surrogate in a user id is a validation error, not a URIError", async () => {
    await expect(enable3.getUserBalance("u\uD800x")).rejects.toBeInstanceOf(Enable3ValidationError);
    await expect(enable3.sendEvent({ userId: "u", eventId: "\uDC00", value: 1 })).rejects.toBeInstanceOf(Enable3ValidationError);
    await expect(enable3.getUserBalance("player-😀")).rejects.not.toBeInstanceOf(Enable3ValidationError); // a real pair is sent (the fake server answers {})
  });

  it.each([[{ "bad name": "x" }], [{ "x-ok": "a\r\nX-Injected: 1" }], [{ "x-ok": "nul\0" }], [{ "x-ok": "emoji 😀" }]])(
    "client headers %j are refused when the client is made, not on every call",
    (headers) => {
      expect(() => createEnable3Client({ apiKey: "k", baseUrl: "http://127.0.0.1:1", fetch, headers })).toThrow(Enable3ValidationError);
    },
  );

  it("per-call headers are checked the same way", async () => {
    await expect(enable3.getUserBalance("u1", { headers: { "x-a": "1\n2" } })).rejects.toBeInstanceOf(Enable3ValidationError);
  });

  it("sendEvents(x, null) is a validation error", async () => {
    await expect(enable3.sendEvents([], null as never)).rejects.toBeInstanceOf(Enable3ValidationError);
  });

  it("escapeHtml(42) is a validation error", () => {
    expect(() => escapeHtml(42 as never)).toThrow(Enable3ValidationError);
  });
});

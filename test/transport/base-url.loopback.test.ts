// A base URL is validated and normalised once, when the client is made: whatever it holds (a trailing
// space from an environment file, a space, control or non-Latin-1 character in its path) no transport
// is ever handed a request it refuses, and no call leaves a timer armed that would fire later.
import { describe, expect, it } from "vitest";
import { Enable3ValidationError } from "../../src/index.js";
import { clientFor } from "../helpers/client.js";
import { BALANCE } from "../helpers/faults.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { trackTimers } from "../helpers/timers.js";

describe("the base URL", () => {
  it.each([
    ["a trailing space", " ", "/api/v1/integration/user/u1/balance"],
    ["a space in its path", "/a b", "/a%20b/api/v1/integration/user/u1/balance"],
    ["a control character in its path", "/\u0001x", "/%01x/api/v1/integration/user/u1/balance"],
    ["a Latin-1 character in its path", "/\u00fc", "/%C3%BC/api/v1/integration/user/u1/balance"],
    ["a character beyond Latin-1 in its path", "/\u20ac", "/%E2%82%AC/api/v1/integration/user/u1/balance"],
    ["a trailing slash", "/base/", "/base/api/v1/integration/user/u1/balance"],
  ])("with %s is sent percent-encoded, and the call leaves no timer behind", async (_name, suffix, expectedPath) => {
    const server = await startScriptedServer((_req, res) => reply(res, 200, BALANCE));
    const enable3 = clientFor(`${server.url}${suffix}`, { timeoutMs: 60_000 });
    // the attempt timers, known by their delay (the fetch transport's undici arms socket timers of its own)
    const live = trackTimers((ms) => ms === 60_000);
    await expect(enable3.getUserBalance("u1")).resolves.toEqual(BALANCE);
    expect(server.requests.map((r) => r.url)).toEqual([expectedPath]);
    expect(live.size).toBe(0);
    await enable3.close();
  });

  it.each([
    ["a query", "/?region=eu"],
    ["an empty query", "/?"],
    ["a fragment", "/#top"],
    ["credentials", "", "user:secret@"],
  ])("with %s is refused when the client is made", (_name, suffix, credentials = "") => {
    const make = () => clientFor(`http://${credentials}127.0.0.1:4010${suffix}`);
    expect(make).toThrow(Enable3ValidationError);
    try {
      make();
    } catch (error) {
      expect((error as Enable3ValidationError).field).toBe("options.baseUrl");
      expect((error as Error).message).not.toContain("secret");
    }
  });
});

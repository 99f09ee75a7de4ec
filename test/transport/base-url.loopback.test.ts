// A base URL is validated and normalised once, when the client is made: whatever it holds (a trailing
// space from an environment file, a space, control or non-Latin-1 character in its path) no transport
// is ever handed a request it refuses, and no call leaves a timer armed that would fire later.
import { afterEach, describe, expect, it, vi } from "vitest";
import { Enable3ValidationError } from "../../src/index.js";
import { clientFor } from "../helpers/client.js";
import { BALANCE } from "../helpers/faults.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";

/**
 * The attempt timers (known by their delay: the test's 60 s timeoutMs) created from now on that neither
 * fired nor were cleared; the fetch transport's undici keeps short socket timers of its own.
 */
function liveAttemptTimers() {
  const live = new Set<unknown>();
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  vi.spyOn(globalThis, "setTimeout").mockImplementation(((fn: () => void, ms?: number) => {
    const handle: NodeJS.Timeout = realSet(() => (live.delete(handle), fn()), ms);
    if (ms === 60_000) live.add(handle);
    return handle;
  }) as typeof setTimeout);
  vi.spyOn(globalThis, "clearTimeout").mockImplementation(
    ((handle?: NodeJS.Timeout) => (live.delete(handle), realClear(handle))) as typeof clearTimeout,
  );
  return live;
}

afterEach(() => {
  vi.restoreAllMocks();
});

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
    const live = liveAttemptTimers();
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

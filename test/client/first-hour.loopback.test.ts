// What trips a user in their first hour with the library, each a defect that once shipped: fields
// through __proto__, control characters in ids, a shared signal's listener warning, a base URL that
// ends in /api/v1, a key with a newline from the environment, Deno's refused environment, a short key.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createEnable3Client, Enable3ConnectionError, Enable3ValidationError } from "../../src/index.js";
import { clientFor, countingFetch } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";

afterEach(() => {
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
});

const offline = () => {
  const { fetch, calls } = countingFetch();
  return { enable3: createEnable3Client({ apiKey: "test-key-long-enough-1234", baseUrl: "http://127.0.0.1:1", fetch }), calls };
};

describe("input", () => {
  it("a __proto__ key (as JSON.parse makes one) supplies no field: it is refused", async () => {
    const { enable3, calls } = offline();
    const event = JSON.parse('{"__proto__": {"userId": "u", "eventId": "e", "value": 1}}');
    const error = await enable3.sendEvent(event).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3ValidationError);
    expect((error as Enable3ValidationError).field).toBe("event.__proto__");
    await expect(enable3.sendEvents([event])).resolves.toMatchObject({ failedCount: 1, deliveredCount: 0 });
    expect(calls).toEqual([]);
  });

  it.each(["userId", "eventId", "id"])("terminal control characters in %s are refused", async (field) => {
    const { enable3, calls } = offline();
    const event = { userId: "u", eventId: "e", value: 1, [field]: "x\u001b[2Jy" };
    await expect(enable3.sendEvent(event)).rejects.toThrow(new RegExp(`^event\\.${field} must not hold control characters`));
    await expect(enable3.getUserBalance("player\u0007")).rejects.toThrow(/operatorUserId must not hold control characters/);
    await expect(enable3.sendRevenue({ revenue: 1, requestId: "r\u009b1" })).rejects.toThrow(/revenue\.requestId must not hold control/);
    await expect(enable3.assignSegments([{ userId: "u", segmentIds: ["vip\n"] }])).rejects.toThrow(/segmentIds\[0\] must not hold control/);
    expect(calls).toEqual([]);
  });
});

describe("one AbortSignal shared by many concurrent calls", () => {
  it("prints no MaxListenersExceededWarning, and still aborts every call", async () => {
    const server = await startScriptedServer(() => {}); // never answers
    const enable3 = clientFor(server.url, { timeoutMs: 60_000 });
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      const controller = new AbortController();
      const calls = Array.from({ length: 30 }, (_, i) =>
        enable3.getUserBalance(`u${i}`, { signal: controller.signal }).catch((e: unknown) => e),
      );
      await expect.poll(() => server.requests.length).toBe(30);
      controller.abort();
      const errors = await Promise.all(calls);
      expect(errors.every((e) => (e as Error).name === "Enable3AbortError")).toBe(true);
      await new Promise((r) => setImmediate(r));
      expect(warnings.map((w) => w.name)).not.toContain("MaxListenersExceededWarning");
    } finally {
      process.off("warning", onWarning);
      await enable3.close();
    }
  });
});

describe("messages that point at the fix", () => {
  it.each(["https://integration.enable3.io/api/v1", "https://integration.enable3.io/api/v1/", "https://integration.enable3.io/api"])(
    "a base URL of %s is refused with the reason, not a 404 on every call",
    (baseUrl) => {
      expect(() => createEnable3Client({ apiKey: "k", baseUrl })).toThrow(/options\.baseUrl must be the API's root, without \/api/);
    },
  );

  it("a key from ENABLE3_API_KEY with a trailing newline names the variable and the newline", () => {
    vi.stubEnv("ENABLE3_API_KEY", "sk-live-0123456789abcdef\n");
    const error = (() => {
      try {
        createEnable3Client({ baseUrl: "http://127.0.0.1:1" });
      } catch (e) {
        return e as Enable3ValidationError;
      }
    })();
    expect(error?.field).toBe("ENABLE3_API_KEY");
    expect(error?.message).toMatch(/begins or ends with a space or line break \(a key read from a file keeps its newline\)/);
    expect(error?.message).not.toContain("0123456789abcdef");
  });

  it("in Deno without --allow-env, the message says the variable could not be read, not that it is unset", () => {
    vi.stubGlobal("Deno", {
      env: {
        get: () => {
          throw new Error('NotCapable: Requires env access to "ENABLE3_API_KEY"');
        },
      },
    });
    expect(() => createEnable3Client({ baseUrl: "http://127.0.0.1:1" })).toThrow(
      /ENABLE3_API_KEY could not be read: .*--allow-env=ENABLE3_API_KEY/,
    );
  });

  it("a very short key is redacted where it stands alone, not inside other words", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 400, { message: "key sock is refused for socket sockets" }));
    const error = await createEnable3Client({ apiKey: "sock", baseUrl: server.url, maxRetries: 0 })
      .getUserBalance("u1")
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/: key \[redacted\] is refused for socket sockets$/);
  });

  it("a long key is redacted wherever it appears", async () => {
    const key = "sk-live-0123456789abcdef";
    const server = await startScriptedServer((_req, res) => {
      res.socket?.destroy();
    });
    const error = await createEnable3Client({ apiKey: key, baseUrl: server.url, maxRetries: 0 })
      .getUserBalance(`x${key}y`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3ConnectionError);
    expect(JSON.stringify(error) + String((error as Error).message)).not.toContain(key);
  });
});

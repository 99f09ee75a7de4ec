// ENABLE3_API_KEY and ENABLE3_BASE_URL fill in options left out; explicit options win; a runtime
// whose environment cannot be read (Deno without --allow-env) is treated as having none.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createEnable3Client, Enable3ValidationError } from "../../src/index.js";
import { countingFetch } from "../helpers/client.js";

afterEach(() => {
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe("environment defaults", () => {
  it("createEnable3Client() reads the key and base URL from the environment", async () => {
    vi.stubEnv("ENABLE3_API_KEY", "env-key-1");
    vi.stubEnv("ENABLE3_BASE_URL", "http://127.0.0.1:4010");
    const { fetch, calls } = countingFetch();
    const seen: string[] = [];
    const recording = (async (url: string, init: RequestInit) => {
      seen.push(new Headers(init.headers).get("x-api-key")!);
      return fetch(url, init);
    }) as typeof globalThis.fetch;
    await createEnable3Client({ fetch: recording }).sendEvent({ userId: "u", eventId: "e", value: 1 });
    expect(calls).toEqual(["http://127.0.0.1:4010/api/v1/event"]);
    expect(seen).toEqual(["env-key-1"]);
  });

  it("explicit options win over the environment", async () => {
    vi.stubEnv("ENABLE3_API_KEY", "env-key");
    vi.stubEnv("ENABLE3_BASE_URL", "http://127.0.0.1:1");
    const { fetch, calls } = countingFetch();
    await createEnable3Client({ apiKey: "explicit", baseUrl: "http://localhost:2", fetch }).sendEvent({
      userId: "u",
      eventId: "e",
      value: 1,
    });
    expect(calls).toEqual(["http://localhost:2/api/v1/event"]);
  });

  it("with neither, the error says how to give a key", () => {
    vi.stubEnv("ENABLE3_API_KEY", "");
    expect(() => createEnable3Client()).toThrow(/options\.apiKey is required \(set ENABLE3_API_KEY or pass apiKey\)/);
  });

  it("an environment that refuses to be read (Deno without --allow-env) counts as empty, never a throw", () => {
    vi.stubGlobal("Deno", {
      env: {
        get: () => {
          throw new Error("NotCapable: requires env access");
        },
      },
    });
    expect(() => createEnable3Client()).toThrow(Enable3ValidationError);
    expect(() => createEnable3Client({ apiKey: "k" })).not.toThrow();
  });
});

describe("ENABLE3_LOG", () => {
  const event = { userId: "u", eventId: "e", value: 1 };

  it("=debug logs each attempt to the console when no logger is given", async () => {
    vi.stubEnv("ENABLE3_LOG", "debug");
    const debug = vi.spyOn(console, "debug").mockImplementation(() => {});
    const { fetch } = countingFetch();
    await createEnable3Client({ apiKey: "k", baseUrl: "http://127.0.0.1:1", fetch }).sendEvent(event);
    expect(debug.mock.calls).toEqual([["[enable3] sendEvent POST /api/v1/event -> 200 (attempt 1 of 3)"]]);
  });

  it("sets the level of a logger given without one; an explicit logLevel wins", async () => {
    vi.stubEnv("ENABLE3_LOG", "debug");
    const debug = vi.spyOn(console, "debug").mockImplementation(() => {});
    const lines: string[] = [];
    const logger = { error: () => {}, warn: () => {}, info: () => {}, debug: (line: string) => lines.push(line) };
    const { fetch } = countingFetch();
    await createEnable3Client({ apiKey: "k", baseUrl: "http://127.0.0.1:1", fetch, logger }).sendEvent(event);
    expect(lines).toHaveLength(1);
    await createEnable3Client({ apiKey: "k", baseUrl: "http://127.0.0.1:1", fetch, logger, logLevel: "off" }).sendEvent(event);
    await createEnable3Client({ apiKey: "k", baseUrl: "http://127.0.0.1:1", fetch, logLevel: "warn" }).sendEvent(event);
    expect(lines).toHaveLength(1);
    expect(debug).not.toHaveBeenCalled();
  });

  it("unset or empty logs nothing; a value it does not know is an error naming it and the levels", async () => {
    const debug = vi.spyOn(console, "debug").mockImplementation(() => {});
    const { fetch } = countingFetch();
    vi.stubEnv("ENABLE3_LOG", "");
    await createEnable3Client({ apiKey: "k", baseUrl: "http://127.0.0.1:1", fetch }).sendEvent(event);
    expect(debug).not.toHaveBeenCalled();
    vi.stubEnv("ENABLE3_LOG", "verbose");
    expect(() => createEnable3Client({ apiKey: "k", fetch })).toThrow(Enable3ValidationError);
    expect(() => createEnable3Client({ apiKey: "k", fetch })).toThrow(
      'ENABLE3_LOG must be one of off, error, warn, info, debug, got "verbose"',
    );
  });
});

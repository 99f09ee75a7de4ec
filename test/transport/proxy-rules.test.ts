// NO_PROXY and the switch that turns environment proxies on, read as Node's own proxy support reads
// them (lib/internal/http.js in Node 24+), so a client behaves alike on Node 20 and 26.
import { describe, expect, it } from "vitest";
import { bypassed, envProxyEnabled, proxyRoute, resolveRoute } from "../../src/transport/proxy.js";

const on = { NODE_USE_ENV_PROXY: "1" };

describe("NO_PROXY", () => {
  it.each([
    ["*", "https://api.example.com", true],
    ["api.example.com", "https://api.example.com", true],
    ["API.Example.com", "https://api.example.com", true],
    ["api.example.com:443", "https://api.example.com", true],
    ["api.example.com:8443", "https://api.example.com", false],
    [".example.com", "https://api.example.com", true],
    [".example.com", "https://example.com", true],
    [".example.com", "https://badexample.com", false],
    ["*.example.com", "https://api.example.com", true],
    ["example.com", "https://api.example.com", false],
    ["10.0.0.1-10.0.0.9", "https://10.0.0.5", true],
    ["10.0.0.1-10.0.0.9", "https://10.0.1.5", false],
    ["other.example, api.example.com", "https://api.example.com", true],
    ["", "https://api.example.com", false],
  ])("%j for %s: bypassed %s", (list, url, expected) => {
    expect(bypassed(list, new URL(url))).toBe(expected);
  });
});

describe("NODE_USE_ENV_PROXY and --use-env-proxy", () => {
  it("turn environment proxies on; the flag wins over the variable", () => {
    expect(envProxyEnabled({}, [])).toBe(false);
    expect(envProxyEnabled(on, [])).toBe(true);
    expect(envProxyEnabled({ NODE_USE_ENV_PROXY: "true" }, [])).toBe(false);
    expect(envProxyEnabled({}, ["--use-env-proxy"])).toBe(true);
    expect(envProxyEnabled({ NODE_OPTIONS: "--max-old-space-size=100 --use-env-proxy" }, [])).toBe(true);
    expect(envProxyEnabled(on, ["--no-use-env-proxy"])).toBe(false);
  });
});

describe("the route", () => {
  const environment = (env: Record<string, string>) => ({ env, enabled: envProxyEnabled(env, []) });

  it("names where a proxy came from and shows it without credentials", () => {
    const { route, proxy } = resolveRoute(
      "https://api.example",
      undefined,
      environment({ ...on, HTTPS_PROXY: "http://u:p4ss@proxy:3128" }),
    );
    expect(route).toEqual({ proxy: { shown: "http://[redacted]@proxy:3128", source: "HTTPS_PROXY" } });
    expect(proxy?.url.password).toBe("p4ss");
  });

  it.each([
    [{ HTTPS_PROXY: "http://proxy:3128" }, undefined, "not-enabled"],
    [{ ...on, HTTPS_PROXY: "socks5://proxy:1080" }, undefined, "not-http"],
    [{ ...on, HTTPS_PROXY: "http://proxy:3128", NO_PROXY: "api.example" }, undefined, "no-proxy"],
    [{ ...on, HTTPS_PROXY: "http://proxy:3128" }, false, "disabled"],
  ] as const)("%j with proxy %s: unused, because %s", (env, option, why) => {
    expect(resolveRoute("https://api.example", option, environment(env)).route).toMatchObject({
      unusedProxy: { name: "HTTPS_PROXY", why },
    });
  });

  it("an http proxy variable is for http URLs, and a loopback http base URL is never proxied", () => {
    expect(resolveRoute("https://api.example", undefined, environment({ ...on, HTTP_PROXY: "http://proxy:3128" })).route).toEqual({});
    expect(resolveRoute("http://127.0.0.1:4010", undefined, environment({ ...on, HTTP_PROXY: "http://proxy:3128" })).route).toEqual({
      unusedProxy: { name: "HTTP_PROXY", why: "loopback", because: "a base URL on this machine is never proxied" },
    });
  });

  it("a proxy URL is checked, and its value never appears in the error", () => {
    expect(() => proxyRoute("http://user:secret@proxy:3128/path", "HTTPS_PROXY", "HTTPS_PROXY")).toThrow(/no path/);
    expect(() => proxyRoute("http://user:secret@proxy:3128/path", "HTTPS_PROXY", "HTTPS_PROXY")).not.toThrow(/secret/);
    expect(() => resolveRoute("https://api.example", undefined, environment({ ...on, HTTPS_PROXY: "http://pro xy:3128" }))).toThrow(
      /HTTPS_PROXY must be an http:\/\/ or https:\/\/ proxy URL/,
    );
  });
});

// Which proxy a client's requests go through: the `proxy` option, else the environment read as Node's
// own convention reads it (HTTPS_PROXY / HTTP_PROXY / NO_PROXY, lower case first, only when
// NODE_USE_ENV_PROXY=1 or --use-env-proxy), the same on every Node version, 20 included. Loaded by
// the Node entry only; the connections are made in connection-pool.ts.

import { UNUSED_PROXY } from "../errors/messages.js";
import { Enable3ValidationError } from "../errors/validation.js";
import type { NetworkRoute, ProxyRoute, UnusedProxyReason } from "./contract.js";
import { REDACTED } from "./redact.js";

/** The `proxy` option: a proxy URL, `false` for none (the environment ignored), or undefined for the environment's. */
export type ProxyOption = string | URL | false | undefined;

/** The environment a route is read from, and whether Node's convention turns environment proxies on. */
export interface ProxyEnvironment {
  env: Readonly<Record<string, string | undefined>>;
  enabled: boolean;
}

/** NODE_USE_ENV_PROXY=1, or --use-env-proxy on the command line or in NODE_OPTIONS (which wins, as in Node). */
export function envProxyEnabled(env: ProxyEnvironment["env"], execArgv: readonly string[]): boolean {
  const flags = [...(env.NODE_OPTIONS ?? "").split(/\s+/), ...execArgv].filter(
    (f) => f === "--use-env-proxy" || f === "--no-use-env-proxy",
  );
  return flags.length ? flags[flags.length - 1] === "--use-env-proxy" : env.NODE_USE_ENV_PROXY === "1";
}

/** A proxy URL, checked: http or https, no path, query or fragment. Credentials are allowed and never shown. */
export function proxyRoute(value: string | URL, source: string, field: string): ProxyRoute {
  const text = String(value);
  let url: URL | undefined;
  try {
    url = /[\r\n]/.test(text) ? undefined : new URL(text);
  } catch {}
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:"))
    throw new Enable3ValidationError(field, "must be an http:// or https:// proxy URL (value not shown)");
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash)
    throw new Enable3ValidationError(field, "must be a proxy's address only, with no path, query or fragment (value not shown)");
  const shown = `${url.protocol}//${url.username || url.password ? `${REDACTED}@` : ""}${url.host}`;
  return { url, shown, source };
}

/** What a route's proxy URL holds that must never be shown: its credentials, as written and as sent. */
export function proxySecrets(route: ProxyRoute | undefined): string[] {
  if (!route || !(route.url.username || route.url.password)) return [];
  const user = decodeURIComponent(route.url.username);
  const password = decodeURIComponent(route.url.password);
  const secrets = [basicAuth(route.url), route.url.password, password];
  // a proxy URL with a user name only (http://TOKEN@proxy) carries its token there
  if (!password) secrets.push(route.url.username, user);
  return secrets.filter((s) => s.length >= 4);
}

/** The Proxy-Authorization value for a proxy URL with credentials, as Node sends it. */
export function basicAuth(url: URL): string {
  return `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}`;
}

/**
 * The proxy (if any) requests to `baseUrl` go through, and, when a proxy variable is set but not used,
 * why. `ownFetch`: the caller gave a fetch, which decides its own proxy.
 */
export function resolveRoute(
  baseUrl: string,
  option: ProxyOption,
  environment: ProxyEnvironment | undefined,
  ownFetch = false,
): { route: NetworkRoute; proxy?: ProxyRoute | undefined } {
  const target = new URL(baseUrl);
  const name = environment && variableFor(target, environment.env);
  const unused = (why: UnusedProxyReason, as = name) => ({
    route: as ? { unusedProxy: { name: as, why, because: UNUSED_PROXY[why] } } : {},
  });
  if (ownFetch) return unused("fetch");
  // plain http is for loopback only (see validate.baseUrl): it never needs a way out
  if (target.protocol === "http:") {
    if (option) proxyRoute(option, "the proxy option", "options.proxy"); // still checked
    return unused("loopback", option ? "the proxy option" : name);
  }
  if (option === false) return unused("disabled");
  if (option !== undefined) return withProxy(proxyRoute(option, "the proxy option", "options.proxy"));
  if (!name || !environment) return { route: {} };
  const value = environment.env[name]!;
  if (!environment.enabled) return unused("not-enabled");
  // Node ignores a variable that is not an http(s) URL rather than failing, in case userland handles it
  if (!/^https?:\/\//.test(value)) return unused("not-http");
  if (bypassed(environment.env.no_proxy || environment.env.NO_PROXY, target)) return unused("no-proxy");
  return withProxy(proxyRoute(value, name, name));
}

const withProxy = (proxy: ProxyRoute) => ({ route: { proxy: { shown: proxy.shown, source: proxy.source } }, proxy });

/** The variable that names this URL's proxy, lower case first: https_proxy / HTTPS_PROXY, or http_proxy / HTTP_PROXY. */
function variableFor(target: URL, env: ProxyEnvironment["env"]): string | undefined {
  const [lower, upper] = target.protocol === "https:" ? ["https_proxy", "HTTPS_PROXY"] : ["http_proxy", "HTTP_PROXY"];
  return env[lower] ? lower : env[upper] ? upper : undefined;
}

/**
 * NO_PROXY as Node reads it: comma-separated entries, `*` for every host, a host or host:port, `.suffix`
 * (the domain and its subdomains, as curl), `*.suffix`, or an IPv4 range `a.b.c.d-e.f.g.h`.
 */
export function bypassed(noProxy: string | undefined, target: URL): boolean {
  if (!noProxy) return false;
  const host = target.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = target.port || (target.protocol === "https:" ? "443" : "80");
  for (const raw of noProxy.split(",")) {
    const entry = raw.trim().toLowerCase();
    if (entry === "*" || entry === host || entry === `${host}:${port}`) return true;
    if (entry.startsWith(".")) {
      const suffix = entry.slice(1);
      if (host === suffix || host.endsWith(`.${suffix}`)) return true;
    }
    if (entry.startsWith("*.") && host.endsWith(entry.slice(1))) return true;
    const [from, to] = entry.split("-").map((s) => s.trim());
    if (to !== undefined && isIPv4(host) && isIPv4(from!) && isIPv4(to) && ipv4(from!) <= ipv4(host) && ipv4(host) <= ipv4(to)) return true;
  }
  return false;
}

const isIPv4 = (text: string) => /^(\d{1,3})(\.\d{1,3}){3}$/.test(text);
const ipv4 = (text: string) => text.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);

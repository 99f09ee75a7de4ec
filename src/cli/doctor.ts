// `enable3 doctor`: checks, in order, that the API (or the proxy in front of it) resolves in DNS and
// accepts a TCP connection, that TLS holds (the certificate problem named), that the proxy opens its
// tunnel, and what the API says to the key (401, 403, 404 each read for what they mean), and prints
// what to fix. The last three come from one real call through the SDK, so they are exactly what an
// application on this machine meets. The key is never printed.
import { lookup } from "node:dns/promises";
import { connect } from "node:net";
import {
  Enable3ApiError,
  type Enable3Client,
  Enable3Error,
  Enable3ProxyError,
  Enable3TlsError,
  Enable3ValidationError,
  type NetworkRoute,
} from "../index.js";
import { createEnable3Client } from "../index.node.js";
import { number, parse, UsageError } from "./args.js";
import { createOutput, EXIT } from "./output.js";

export const doctorUsage = "enable3 doctor [--base-url URL] [--proxy URL] [--json]";

export const doctorHelp = `Checks the way from this machine to the API, in order: DNS, TCP, TLS, the proxy (when one is
used), and the key; prints what to fix. The key comes from ENABLE3_API_KEY (without it the key check
is skipped); the proxy from --proxy, else HTTPS_PROXY/NO_PROXY when NODE_USE_ENV_PROXY=1, as the SDK
reads them. Exits 0 when every check passes, 1 when one fails.

Example:
  ENABLE3_API_KEY=… enable3 doctor
  enable3 doctor --proxy http://proxy.internal:3128 --json`;

type Status = "ok" | "failed" | "skipped";

interface Check {
  name: "dns" | "tcp" | "tls" | "proxy" | "key";
  status: Status;
  detail: string;
  fix?: string | undefined;
}

/** The user the key check asks the balance of: a read that creates nothing. */
const PROBE_USER = "enable3-doctor";

export async function runDoctor(args: string[], env: NodeJS.ProcessEnv = process.env, out: NodeJS.WritableStream = process.stdout) {
  const { values } = parse(args, { proxy: { type: "string" } });
  const baseUrl = values["base-url"] ?? env.ENABLE3_BASE_URL ?? "https://integration.enable3.io";
  const timeoutMs = number(values["timeout-ms"], "timeout-ms") ?? 10_000;
  const enable3 = clientFor(baseUrl, values.proxy, env, timeoutMs);
  const api = new URL(baseUrl);
  const proxy = enable3.route.proxy;
  // the first hop: the proxy when there is one (the proxy resolves and reaches the API itself)
  const hop = proxy ? new URL(proxy.shown.replace("[redacted]@", "")) : api;
  const port = Number(hop.port) || (hop.protocol === "https:" ? 443 : 80);
  const checks: Check[] = [];
  const skipRest = (from: Check["name"][], why: string) => {
    for (const name of from) checks.push({ name, status: "skipped", detail: why });
  };

  const host = hop.hostname.replace(/^\[|\]$/g, "");
  const dns = await withTimeout(lookup(host, { all: true }), timeoutMs).then(
    (addresses) => ({ ok: true as const, text: addresses.map((a) => a.address).join(", ") }),
    (error: unknown) => ({ ok: false as const, text: codeOf(error) }),
  );
  checks.push(
    dns.ok
      ? { name: "dns", status: "ok", detail: `${host} is ${dns.text}${proxy ? ` (the proxy resolves ${api.hostname} itself)` : ""}` }
      : {
          name: "dns",
          status: "failed",
          detail: `${host} does not resolve (${dns.text})`,
          fix: `check the ${proxy ? "proxy's address" : "base URL"} and this machine's DNS`,
        },
  );
  if (!dns.ok) skipRest(["tcp", "tls", "proxy", "key"], "DNS failed");
  else {
    const tcp = await tcpCheck(host, port, timeoutMs);
    checks.push(
      tcp.ok
        ? { name: "tcp", status: "ok", detail: `connected to ${host}:${port} in ${tcp.ms} ms` }
        : {
            name: "tcp",
            status: "failed",
            detail: `cannot connect to ${host}:${port} (${tcp.code})`,
            fix: "check the port, and that a firewall or security group lets this machine out to it",
          },
    );
    if (!tcp.ok) skipRest(["tls", "proxy", "key"], "TCP failed");
    else checks.push(...(await throughTheSdk(enable3, api, proxy, env.ENABLE3_API_KEY !== undefined)));
  }
  await enable3.close();
  const ok = checks.every((c) => c.status !== "failed");
  const human = [
    `enable3 doctor: ${api.origin}${proxy ? ` through ${proxy.shown} (from ${proxy.source})` : ""}`,
    ...unusedNote(enable3.route),
    ...checks.map(
      (c) =>
        `${c.status === "ok" ? "ok  " : c.status === "failed" ? "FAIL" : "skip"} ${c.name.padEnd(5)} ${c.detail}${c.fix ? `\n           fix: ${c.fix}` : ""}`,
    ),
    ok ? "Everything this machine needs to reach the API works." : "Fix the first failed check, then run enable3 doctor again.",
  ].join("\n");
  createOutput(values.json, out).result({ ok, baseUrl: api.origin + api.pathname.replace(/\/$/, ""), route: enable3.route, checks }, human);
  return ok ? EXIT.ok : EXIT.failure;
}

/** The SDK's own client, with no retries: the key from the environment, or a stand-in that lets the network checks run. */
function clientFor(baseUrl: string, proxy: string | undefined, env: NodeJS.ProcessEnv, timeoutMs: number): Enable3Client {
  if (proxy !== undefined && env.ENABLE3_TRANSPORT === "fetch")
    throw new UsageError("--proxy needs the Node transport: unset ENABLE3_TRANSPORT");
  try {
    return createEnable3Client({
      apiKey: env.ENABLE3_API_KEY ?? "enable3-doctor-no-key",
      baseUrl,
      ...(proxy === undefined ? {} : { proxy }),
      ...(env.ENABLE3_TRANSPORT === "fetch" ? { fetch: globalThis.fetch } : {}),
      maxRetries: 0,
      timeoutMs,
    });
  } catch (error) {
    if (error instanceof Enable3ValidationError) {
      const flag = error.field === "options.proxy" ? "--proxy" : error.field === "options.baseUrl" ? "--base-url" : error.field;
      throw new UsageError(`${flag} ${error.problem}`);
    }
    throw error;
  }
}

/** TLS, the proxy's tunnel and the key, read from one real call: each error class says which step failed. */
async function throughTheSdk(enable3: Enable3Client, api: URL, proxy: NetworkRoute["proxy"], hasKey: boolean): Promise<Check[]> {
  const tlsOk: Check =
    api.protocol === "https:"
      ? { name: "tls", status: "ok", detail: `${api.hostname}'s certificate is valid and trusted` }
      : { name: "tls", status: "skipped", detail: "plain http (a base URL on this machine)" };
  const proxyOk: Check = proxy
    ? { name: "proxy", status: "ok", detail: `${proxy.shown} opened a tunnel to ${api.host}` }
    : { name: "proxy", status: "skipped", detail: "no proxy: requests go direct" };
  try {
    await enable3.getUserBalance(PROBE_USER);
    return [tlsOk, proxyOk, hasKey ? { name: "key", status: "ok", detail: "the API accepts the key from this machine" } : noKey()];
  } catch (error) {
    if (error instanceof Enable3ProxyError) {
      return [
        { name: "tls", status: "skipped", detail: "the proxy did not open a tunnel" },
        { name: "proxy", status: "failed", detail: error.message, fix: proxyFix(error.status) },
        { name: "key", status: "skipped", detail: "the proxy failed" },
      ];
    }
    if (error instanceof Enable3TlsError) {
      return [
        { name: "tls", status: "failed", detail: error.message, fix: TLS_FIX[error.reason] },
        proxyOk,
        { name: "key", status: "skipped", detail: "TLS failed" },
      ];
    }
    if (!(error instanceof Enable3ApiError)) {
      const detail = error instanceof Enable3Error ? error.message : String(error);
      return [
        { name: "tls", status: "failed", detail, fix: "the connection opened but no HTTP answer came back: check baseUrl" },
        proxyOk,
        { name: "key", status: "skipped", detail: "no answer" },
      ];
    }
    if (!hasKey) return [tlsOk, proxyOk, noKey()];
    return [tlsOk, proxyOk, keyReading(error, proxy)];
  }
}

const noKey = (): Check => ({ name: "key", status: "skipped", detail: "ENABLE3_API_KEY is not set", fix: "set it to check the key" });

/** What a 401, 403 or 404 to the key means, and what to do. */
function keyReading(error: Enable3ApiError, proxy: NetworkRoute["proxy"]): Check {
  const egress = proxy ? `the proxy's egress IP (${proxy.shown})` : "this machine's public IP";
  const readings: Record<number, [string, string]> = {
    401: ["the API refused the key (401)", `check ENABLE3_API_KEY; if it is right, allow-list ${egress} in the Enable3 admin panel`],
    403: [
      "the key was read, but this caller is not allowed (403): usually the IP allow-list",
      `allow-list ${egress} in the Enable3 admin panel`,
    ],
    404: ["the API has no such path (404)", "the base URL must be the API's root, with no /api/v1"],
  };
  const [detail, fix] = readings[error.status] ?? [`the API answered HTTP ${error.status}`, error.message];
  return { name: "key", status: "failed", detail, fix };
}

const TLS_FIX: Record<Enable3TlsError["reason"], string> = {
  "untrusted-certificate": "if a proxy or firewall re-signs TLS, start Node with NODE_EXTRA_CA_CERTS=/path/to/its-ca.pem",
  "wrong-host": "check the base URL, and what answers for that host on this network",
  "expired-certificate": "check this machine's clock; if it is right, the certificate's owner must renew it",
  "certificate-not-yet-valid": "check this machine's clock",
  "not-tls": "the port speaks plain http: check the base URL's scheme and port",
  "handshake-failed": "check what answers on that port",
};

function proxyFix(status: number | undefined): string {
  if (status === undefined) return "check the proxy's address and that it runs";
  if (status === 407) return "put the proxy's credentials in its URL: http://user:password@host:port";
  return "the proxy must allow CONNECT to the API's host on port 443";
}

function unusedNote(route: NetworkRoute): string[] {
  const unused = route.unusedProxy;
  return unused ? [`note: ${unused.name} is set but not used (${unused.because})`] : [];
}

async function tcpCheck(host: string, port: number, timeoutMs: number): Promise<{ ok: true; ms: number } | { ok: false; code: string }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once("connect", () => {
      socket.destroy();
      resolve({ ok: true, ms: Date.now() - started });
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve({ ok: false, code: `no answer in ${timeoutMs} ms` });
    });
    socket.once("error", (error) => resolve({ ok: false, code: codeOf(error) }));
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error("timeout"), { code: `no answer in ${ms} ms` })), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

function codeOf(error: unknown): string {
  return (error as { code?: string })?.code ?? String((error as Error)?.message ?? error);
}

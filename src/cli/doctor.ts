// `enable3 doctor`: checks, in order, that the API (or the proxy in front of it) resolves in DNS and
// accepts a TCP connection (doctor-probes.ts), then, from one real call through the SDK, that the
// proxy opens its tunnel, that TLS holds, that what answers is the API, and what the API says to the
// key (doctor-readings.ts); each failure named for what it is, with what to fix. The SDK's call is
// exactly what an application on this machine meets. The key and a proxy's credentials are never printed.
import { type Enable3Client, Enable3ValidationError, type NetworkRoute } from "../index.js";
import { createEnable3Client } from "../index.node.js";
import { number, parse, UsageError } from "./args.js";
import { baseUrlFrom, type ClientFlags, usageErrorOf } from "./config.js";
import { dnsProbe, tcpProbe } from "./doctor-probes.js";
import { type Check, type CheckName, PROXY_CREDENTIALS_INSTEAD, throughTheSdk, type Way } from "./doctor-readings.js";
import { createOutput, EXIT } from "./output.js";
import { firstLineOf, secretArgumentRefused } from "./secret-argument.js";

export const doctorUsage = "enable3 doctor [--base-url URL] [--proxy URL | --proxy-file FILE] [--json]";

export const doctorHelp = `Checks the way from this machine to the API, in order: DNS, TCP, the proxy (when one is used),
TLS, the API (an answer in its shape from its address: not a timeout, a redirect or a web page), and the
key; names each failure for what it is and prints what to fix. The key comes from ENABLE3_API_KEY (without it the key check
is skipped); the proxy from --proxy, or --proxy-file FILE (its first line), else HTTPS_PROXY/NO_PROXY
when NODE_USE_ENV_PROXY=1, as the SDK reads them. A proxy's credentials never go in --proxy (every user
sees arguments in ps): put them in the file, or in HTTPS_PROXY. Exits 0 when every check passes, 1 when
one fails, 2 on a usage error.

Example:
  ENABLE3_API_KEY=… enable3 doctor
  enable3 doctor --proxy http://proxy.internal:3128 --json
  enable3 doctor --proxy-file /run/secrets/proxy-url`;

export async function runDoctor(args: string[], env: NodeJS.ProcessEnv = process.env, out: NodeJS.WritableStream = process.stdout) {
  const { values } = parse(args, { proxy: { type: "string" }, "proxy-file": { type: "string" } });
  const { ok, report, human } = await diagnose(values, env);
  createOutput(values.json, out).result(report, human);
  return ok ? EXIT.ok : EXIT.failure;
}

/** The flags the doctor reads. */
export type DoctorFlags = ClientFlags & { proxy?: string | undefined; "proxy-file"?: string | undefined };

/** Runs every check: the report `--json` prints (also `enable3 mcp`'s connection check) and the human text. */
export async function diagnose(values: DoctorFlags, env: NodeJS.ProcessEnv) {
  const { baseUrl, source } = baseUrlFrom(values, env);
  const timeoutMs = number(values["timeout-ms"], "timeout-ms") ?? 10_000;
  const proxyFlag = await proxyOf(values);
  const enable3 = clientFor({ baseUrl, "base-url": values["base-url"] }, proxyFlag, env, timeoutMs);
  const way: Way = { api: new URL(baseUrl), source, proxy: enable3.route.proxy, hasKey: env.ENABLE3_API_KEY !== undefined, timeoutMs };
  let checks: Check[];
  try {
    checks = await network(way);
    if (checks.every((c) => c.status === "ok")) checks.push(...(await throughTheSdk(enable3, way)));
    else {
      const failed = checks.find((c) => c.status === "failed")!.name;
      checks.push(...(["proxy", "tls", "api", "key"] as const).map((name) => skipped(name, `the ${failed} check failed`)));
    }
  } finally {
    await enable3.close();
  }
  const ok = checks.every((c) => c.status !== "failed");
  const { api, proxy } = way;
  const human = [
    `enable3 doctor: ${api.origin} (from ${source})${proxy ? ` through ${proxy.shown} (from ${proxyFlag?.flag ?? proxy.source})` : ""}`,
    ...unusedNote(enable3.route),
    ...checks.map(
      (c) =>
        `${c.status === "ok" ? "ok  " : c.status === "failed" ? "FAIL" : "skip"} ${c.name.padEnd(5)} ${c.detail}${c.fix ? `\n           fix: ${c.fix}` : ""}`,
    ),
    ok ? "Everything this machine needs to reach the API works." : "Fix the first failed check, then run enable3 doctor again.",
  ].join("\n");
  const report = { ok, baseUrl: api.origin + api.pathname.replace(/\/$/, ""), baseUrlSource: source, route: enable3.route, checks };
  return { ok, report, human };
}

const skipped = (name: CheckName, detail: string): Check => ({ name, status: "skipped", detail });

/** DNS and TCP of the first hop: the proxy when there is one (the proxy resolves and reaches the API itself). */
async function network({ api, source, proxy, timeoutMs }: Way): Promise<Check[]> {
  const hop = proxy ? new URL(proxy.shown.replace("[redacted]@", "")) : api;
  const port = Number(hop.port) || (hop.protocol === "https:" ? 443 : 80);
  const host = hop.hostname.replace(/^\[|\]$/g, "");
  const dns = await dnsProbe(host, timeoutMs);
  if (!dns.ok) {
    const fix = `check ${proxy ? "the proxy's address" : `${source} (${api.hostname})`} and this machine's DNS`;
    return [
      { name: "dns", status: "failed", detail: `${host} does not resolve (${dns.code})`, fix },
      skipped("tcp", "the dns check failed"),
    ];
  }
  const resolved: Check = {
    name: "dns",
    status: "ok",
    detail: `${host} is ${dns.text}${proxy ? ` (the proxy resolves ${api.hostname} itself)` : ""}`,
  };
  const tcp = await tcpProbe(host, port, timeoutMs);
  if (tcp.ok) return [resolved, { name: "tcp", status: "ok", detail: `connected to ${host}:${port} in ${tcp.ms} ms` }];
  return [
    resolved,
    {
      name: "tcp",
      status: "failed",
      detail: `cannot connect to ${host}:${port} (${tcp.code})`,
      fix: `check ${proxy ? "the proxy's port, and that it runs" : `${source}'s port`}, and that a firewall or security group lets this machine out to it`,
    },
  ];
}

/** The proxy from --proxy (never with credentials) or --proxy-file (its first line); undefined leaves it to the environment. */
async function proxyOf(values: { proxy?: string | undefined; "proxy-file"?: string | undefined }): Promise<ProxyFlag | undefined> {
  const file = values["proxy-file"];
  if (values.proxy !== undefined && file !== undefined) throw new UsageError("give --proxy or --proxy-file, not both");
  // any "@" is a user or password before the host (a proxy URL has no other use for one); the value is never echoed
  if (values.proxy?.includes("@")) throw secretArgumentRefused("a proxy URL with credentials in --proxy", PROXY_CREDENTIALS_INSTEAD);
  if (values.proxy !== undefined) return { url: values.proxy, flag: "--proxy" };
  return file === undefined ? undefined : { url: await firstLineOf("--proxy-file", file, "proxy URL"), flag: "--proxy-file" };
}

interface ProxyFlag {
  url: string;
  flag: "--proxy" | "--proxy-file";
}

/** The SDK's own client, with no retries: the key from the environment, or a stand-in that lets the network checks run. */
function clientFor(
  { baseUrl, ...flags }: { baseUrl: string; "base-url": string | undefined },
  proxy: ProxyFlag | undefined,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Enable3Client {
  if (proxy !== undefined && env.ENABLE3_TRANSPORT === "fetch")
    throw new UsageError(`${proxy.flag} needs the Node transport: unset ENABLE3_TRANSPORT`);
  try {
    return createEnable3Client({
      apiKey: env.ENABLE3_API_KEY ?? "enable3-doctor-no-key",
      baseUrl,
      ...(proxy === undefined ? {} : { proxy: proxy.url }),
      ...(env.ENABLE3_TRANSPORT === "fetch" ? { fetch: globalThis.fetch } : {}),
      maxRetries: 0,
      timeoutMs,
    });
  } catch (error) {
    if (!(error instanceof Enable3ValidationError)) throw error;
    if (error.field === "options.proxy") throw new UsageError(`${proxy?.flag} ${error.problem}`);
    throw usageErrorOf(error, flags) ?? new UsageError(`${error.field} ${error.problem}`);
  }
}

function unusedNote(route: NetworkRoute): string[] {
  const unused = route.unusedProxy;
  return unused ? [`note: ${unused.name} is set but not used (${unused.because})`] : [];
}

// What one real call through the SDK says about the steps after TCP, in the order a request takes
// them: the proxy's tunnel, TLS, the API (an HTTP answer, in the API's shape, from the API's address)
// and the key. Each failure is named for what it is, at its step, with what to fix; the steps after
// it are skipped.
import {
  DEFAULT_BASE_URL,
  Enable3ApiError,
  type Enable3Client,
  Enable3ConnectionError,
  Enable3Error,
  Enable3InvalidResponseError,
  Enable3ProtocolError,
  Enable3ProxyError,
  Enable3RedirectError,
  Enable3TimeoutError,
  Enable3TlsError,
  type NetworkRoute,
} from "../index.js";
import type { BaseUrlSource } from "./config.js";
import { tlsHandshakeProbe } from "./doctor-probes.js";

/** The doctor's checks, in the order a request passes them: the one list of that order. */
export const CHECK_ORDER = ["dns", "tcp", "proxy", "tls", "api", "key"] as const;
export type CheckName = (typeof CHECK_ORDER)[number];

export interface Check {
  name: CheckName;
  status: "ok" | "failed" | "skipped";
  detail: string;
  fix?: string | undefined;
}

/** What the readings need to know of the run. */
export interface Way {
  api: URL;
  source: BaseUrlSource;
  proxy: NetworkRoute["proxy"];
  hasKey: boolean;
  timeoutMs: number;
}

type Step = Exclude<CheckName, "dns" | "tcp">;
/** The checks one call through the SDK reads: those after TCP. */
const SDK_STEPS = CHECK_ORDER.filter((name): name is Step => name !== "dns" && name !== "tcp");
type Failure = { step: Step; detail: string; fix: string };

/** The user the key check asks the balance of: a read that creates nothing. */
const PROBE_USER = "enable3-doctor";

/** The proxy, TLS, API and key checks, read from one getUserBalance call. */
export async function throughTheSdk(enable3: Enable3Client, way: Way): Promise<Check[]> {
  try {
    await enable3.getUserBalance(PROBE_USER);
    return checks(way, undefined, way.hasKey ? { detail: "the API accepts the key from this machine" } : undefined);
  } catch (error) {
    if (error instanceof Enable3ApiError && error.status !== 404 && error.status < 500) {
      const api = `the API answered HTTP ${error.status}`;
      if (!way.hasKey) return checks(way, undefined, undefined, api);
      if (error.status === 401 || error.status === 403) return checks(way, keyRefused(error.status, way), undefined, api);
    }
    return checks(way, await failureOf(error, way));
  }
}

/** Every step before the failed one passed, the failed one says why, the ones after are skipped. */
function checks(way: Way, failure: Failure | undefined, key?: { detail: string }, answered = "the API answered in its own shape"): Check[] {
  const { api, proxy } = way;
  const passed: Record<Step, Check> = {
    proxy: proxy
      ? { name: "proxy", status: "ok", detail: `${proxy.shown} opened a tunnel to ${api.host}` }
      : { name: "proxy", status: "skipped", detail: "no proxy: requests go direct" },
    tls:
      api.protocol === "https:"
        ? { name: "tls", status: "ok", detail: `${api.hostname}'s certificate is valid and trusted` }
        : { name: "tls", status: "skipped", detail: "plain http (a base URL on this machine)" },
    api: { name: "api", status: "ok", detail: `${answered} at ${api.host}` },
    key: key
      ? { name: "key", status: "ok", detail: key.detail }
      : { name: "key", status: "skipped", detail: "ENABLE3_API_KEY is not set", fix: "set it to check the key" },
  };
  const at = failure ? SDK_STEPS.indexOf(failure.step) : SDK_STEPS.length;
  return SDK_STEPS.map((step, i): Check => {
    if (i < at) return passed[step];
    if (i > at) return { name: step, status: "skipped", detail: `the ${failure!.step} check failed` };
    return { name: step, status: "failed", detail: failure!.detail, fix: failure!.fix };
  });
}

/** What a 401 or 403 to the key means, and what to do. */
function keyRefused(status: 401 | 403, way: Way): Failure {
  const egress = way.proxy ? `the proxy's egress IP (${way.proxy.shown})` : "this machine's public IP";
  return status === 401
    ? {
        step: "key",
        detail: "the API refused the key (401)",
        fix: `check ENABLE3_API_KEY; if it is right, allow-list ${egress} in the Enable3 admin panel`,
      }
    : {
        step: "key",
        detail: "the key was read, but this caller is not allowed (403): usually the IP allow-list",
        fix: `allow-list ${egress} in the Enable3 admin panel`,
      };
}

/** The step an error failed at, named for what happened there. */
async function failureOf(error: unknown, way: Way): Promise<Failure> {
  const { api, source, proxy } = way;
  if (error instanceof Enable3ProxyError) return { step: "proxy", detail: error.message, fix: proxyFix(error.status) };
  if (proxy && (error instanceof Enable3ConnectionError || error instanceof Enable3TlsError) && droppedTunnel(error)) {
    return {
      step: "proxy",
      detail: `the proxy ${proxy.shown} opened a tunnel to ${api.host}, then dropped it before the API answered (${causeCode(error)})`,
      fix: `the proxy (or a firewall behind it) ends connections to ${api.host}: its log says why; it must let CONNECT to ${api.host} through and keep it open`,
    };
  }
  if (error instanceof Enable3TlsError) return { step: "tls", detail: error.message, fix: tlsFix(error.reason, source) };
  if (error instanceof Enable3TimeoutError) return timeoutFailure(way);
  if (error instanceof Enable3RedirectError) return redirectFailure(error, way);
  if (error instanceof Enable3InvalidResponseError) {
    const what =
      typeof error.body !== "string"
        ? "JSON the Enable3 API never sends"
        : /^\s*</.test(error.body)
          ? "an HTML page"
          : "text that is not JSON";
    return {
      step: "api",
      detail: `${api.host} answered HTTP ${error.status} with ${what}: not the Enable3 API`,
      fix: `this address serves something else (a website, a captive portal, a proxy's page): set ${source} to the API's root, ${DEFAULT_BASE_URL}`,
    };
  }
  if (error instanceof Enable3ApiError) return statusFailure(error, source);
  if (error instanceof Enable3ConnectionError) {
    return {
      step: api.protocol === "https:" && !(error instanceof Enable3ProtocolError) ? "tls" : "api",
      detail: error.message,
      fix: `something at ${api.host} takes connections but does not answer as an HTTP server: check ${source}'s scheme and port`,
    };
  }
  const detail = error instanceof Enable3Error ? error.message : String(error);
  return { step: "api", detail, fix: `check ${source}` };
}

/** A tunnel that opened (the CONNECT got 200) and was closed before TLS or an answer came through it. */
function droppedTunnel(error: Enable3ConnectionError): boolean {
  if (error instanceof Enable3TlsError && error.reason !== "handshake-failed") return false;
  return /ECONNRESET|EPIPE|socket hang up|disconnected|closed/i.test(`${causeCode(error)} ${error.message}`);
}

function causeCode(error: Enable3Error): string {
  const cause = error.cause as { code?: string; message?: string } | undefined;
  return cause?.code ?? cause?.message ?? error.code;
}

/** A timeout after TCP connected: on https, a handshake of its own tells "never speaks TLS" from "never answers HTTP". */
async function timeoutFailure({ api, source, proxy, timeoutMs }: Way): Promise<Failure> {
  const noAnswer = `no HTTP answer in ${timeoutMs} ms`;
  const slowFix = `if the network is that slow, raise --timeout-ms; else check that ${source} is the Enable3 API`;
  if (proxy) return { step: "api", detail: `the tunnel opened, but ${noAnswer} through it`, fix: slowFix };
  if (api.protocol === "https:") {
    const port = Number(api.port) || 443;
    const handshake = await tlsHandshakeProbe(api.hostname.replace(/^\[|\]$/g, ""), port, api.hostname, timeoutMs);
    if (!handshake.ok) {
      return {
        step: "tls",
        detail: `TCP connected to ${api.host}, but no TLS handshake came (${handshake.code})`,
        fix: `something accepts connections on port ${port} but never answers (a firewall that holds them, or a port that is not the API's): check ${source}'s port`,
      };
    }
  }
  return { step: "api", detail: `connected to ${api.host}${api.protocol === "https:" ? " over TLS" : ""}, but ${noAnswer}`, fix: slowFix };
}

/** A redirect, with where it points (errors/messages.ts writes it as "(HTTP 301 to <Location>)"). */
function redirectFailure(error: Enable3RedirectError, { api, source }: Way): Failure {
  const location = /\(HTTP \d+ to (.+?)\), which/.exec(error.message)?.[1];
  let to: URL | undefined;
  try {
    to = location === undefined ? undefined : new URL(location, api);
  } catch {}
  const where = to ? ` to ${to.host}${to.host === api.host && to.protocol === api.protocol ? to.pathname : ""}` : "";
  const elsewhere = to && (to.host !== api.host || to.protocol !== api.protocol);
  return {
    step: "api",
    detail: `${api.host} answered with a redirect (HTTP ${error.status})${where}, not the API's answer; the SDK never follows one (the key would go along)`,
    fix: elsewhere
      ? `if ${to!.origin} is the Enable3 API, set ${source} to it; else set it to the API's root, ${DEFAULT_BASE_URL}`
      : `set ${source} to the API's root, ${DEFAULT_BASE_URL}`,
  };
}

/** A status from the API that is about its address or its health, not the key. */
function statusFailure(error: Enable3ApiError, source: BaseUrlSource): Failure {
  if (error.status === 404)
    return { step: "api", detail: "the API has no such path (404)", fix: `${source} must be the API's root, with no /api/v1` };
  if (error.status >= 500) {
    const id = error.serverRequestId ? ` (its request id: ${error.serverRequestId})` : "";
    return {
      step: "api",
      detail: `the API answered HTTP ${error.status}`,
      fix: `the failure is on the server's side: try again later; if it lasts, tell Enable3${id}`,
    };
  }
  return { step: "api", detail: `the API answered HTTP ${error.status}`, fix: error.message };
}

/** Where a proxy URL with credentials goes instead of --proxy (every user sees arguments in ps). */
export const PROXY_CREDENTIALS_INSTEAD =
  "put the proxy URL in a file and give --proxy-file FILE, or set HTTPS_PROXY=http://user:password@host:port with NODE_USE_ENV_PROXY=1";

function proxyFix(status: number | undefined): string {
  if (status === undefined) return "check the proxy's address and that it runs";
  if (status === 407)
    return `give the proxy's credentials in its URL, http://user:password@host:port, never in --proxy: ${PROXY_CREDENTIALS_INSTEAD}`;
  return "the proxy must allow CONNECT to the API's host on port 443";
}

function tlsFix(reason: Enable3TlsError["reason"], source: BaseUrlSource): string {
  const fixes: Record<Enable3TlsError["reason"], string> = {
    "untrusted-certificate": "if a proxy or firewall re-signs TLS, start Node with NODE_EXTRA_CA_CERTS=/path/to/its-ca.pem",
    "wrong-host": `check ${source}, and what answers for that host on this network`,
    "expired-certificate": "check this machine's clock; if it is right, the certificate's owner must renew it",
    "certificate-not-yet-valid": "check this machine's clock",
    "not-tls": `the port speaks plain http: check ${source}'s scheme and port`,
    "handshake-failed": "check what answers on that port",
  };
  return fixes[reason];
}

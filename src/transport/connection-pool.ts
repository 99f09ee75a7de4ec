// The Node transport's connection pools, shared by every client in the process: one per origin and
// route (direct, or through one proxy), so a client made per request reuses the sockets of the one
// before instead of opening its own. Idle sockets close after IDLE_SOCKET_MS (sooner when the server's
// Keep-Alive header announces less, as node:http reads it), before a typical server closes them under
// a request. A pool lives while a client that has not closed uses it. Through a proxy, each socket is
// a CONNECT tunnel (the proxy's credentials in Proxy-Authorization) with TLS to the API inside it.
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import type { ProxyRoute, ProxyShown } from "./contract.js";
import { basicAuth } from "./proxy.js";

/** Below the 5 s idle timeout of Node's own server and undici's 4 s default: the client closes first. */
export const IDLE_SOCKET_MS = 4_000;

/** The longest a proxy may take to answer CONNECT; the attempt's own timer usually ends the wait first. */
const CONNECT_TIMEOUT_MS = 60_000;

export interface Pool {
  readonly key: string;
  /** node:http's or node:https's request, by the origin's scheme. */
  readonly request: typeof httpRequest;
  readonly agent: HttpAgent;
  readonly hostname: string;
  readonly port: number;
  /** The Host header: the origin's host, with its port when not the default. */
  readonly host: string;
  /** The proxy this pool goes through, as messages show it. */
  readonly proxy: ProxyShown | undefined;
  users: number;
}

/** A proxy that could not be reached, or did not answer CONNECT with 200: an attempt's "proxy" failure. */
export class ProxyRefused extends Error {
  constructor(
    readonly status: number | undefined,
    cause?: unknown,
  ) {
    super(status === undefined ? "proxy unreachable" : `proxy answered CONNECT with ${status}`, { cause });
  }
}

const pools = new Map<string, Pool>();

/** The pool for `origin` by `proxy`, made on first use; each acquire is matched by one release. */
export function acquirePool(origin: string, proxy: ProxyRoute | undefined): Pool {
  // plain http is loopback only: never through a proxy, whatever the base URL's route (a raw call may name another origin)
  if (!origin.startsWith("https:")) proxy = undefined;
  const key = proxy ? `${origin} via ${proxy.url.href}` : origin;
  let pool = pools.get(key);
  if (!pool) {
    pool = createPool(key, new URL(origin), proxy);
    pools.set(key, pool);
  }
  pool.users++;
  return pool;
}

/** The last user gone: idle sockets close now, busy ones once their response is read; a later acquire makes a new pool. */
export function releasePool(pool: Pool): void {
  if (--pool.users > 0) return;
  if (pools.get(pool.key) === pool) pools.delete(pool.key);
  (pool.agent as unknown as { keepAlive: boolean }).keepAlive = false; // read by node:http as each response ends
  for (const sockets of Object.values(pool.agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
}

/**
 * Idle sockets close after IDLE_SOCKET_MS (sooner by a server's Keep-Alive hint, node:http's own rule),
 * set as a socket goes back to the pool. Not node:http's `timeout` agent option: with it, every request
 * adds and removes a listener, clears the socket's timer and makes a new one (about 33,000 instructions
 * per call, counted under callgrind). The timer set here stays armed while the socket serves a request:
 * node:http refreshes it on every read and write, and its timeout closes only a free socket.
 */
function idleClosing<A extends HttpAgent>(agent: A): A {
  const keepSocketAlive = agent.keepSocketAlive;
  const options = (agent as unknown as { options: { timeout?: number | undefined } }).options;
  agent.keepSocketAlive = (socket) => {
    options.timeout = IDLE_SOCKET_MS;
    try {
      return keepSocketAlive.call(agent, socket);
    } finally {
      options.timeout = undefined;
    }
  };
  return agent;
}

function createPool(key: string, origin: URL, proxy: ProxyRoute | undefined): Pool {
  const secure = origin.protocol === "https:";
  const hostname = origin.hostname.replace(/^\[|\]$/g, "");
  const port = Number(origin.port) || (secure ? 443 : 80);
  const options = { keepAlive: true, scheduling: "lifo" as const };
  if (!proxy) {
    const agent = idleClosing(secure ? new HttpsAgent(options) : new HttpAgent(options));
    return { key, request: secure ? httpsRequest : httpRequest, agent, hostname, port, host: origin.host, proxy: undefined, users: 0 };
  }
  const proxySecure = proxy.url.protocol === "https:";
  const proxyHost = proxy.url.hostname.replace(/^\[|\]$/g, "");
  const proxyPort = Number(proxy.url.port) || (proxySecure ? 443 : 80);
  const authorization = proxy.url.username || proxy.url.password ? basicAuth(proxy.url) : undefined;
  const agent = idleClosing(new HttpsAgent(options));
  // node:https asks for each new socket here; given a callback, it waits for the tunnel before TLS
  (agent as unknown as { createConnection: unknown }).createConnection = (
    connection: { host: string; port: number } & Record<string, unknown>,
    done: (error: Error | null, socket?: Socket) => void,
  ) => {
    const authority = `${connection.host.includes(":") ? `[${connection.host}]` : connection.host}:${connection.port}`;
    const headers: Record<string, string> = { host: authority };
    if (authorization) headers["proxy-authorization"] = authorization;
    const tunnel = (proxySecure ? httpsRequest : httpRequest)({
      hostname: proxyHost,
      port: proxyPort,
      method: "CONNECT",
      path: authority,
      headers,
      agent: false,
      timeout: CONNECT_TIMEOUT_MS,
    });
    tunnel.once("connect", (answer, socket) => {
      if (answer.statusCode !== 200) {
        socket.destroy();
        return done(new ProxyRefused(answer.statusCode));
      }
      // TLS to the API inside the tunnel: the API's certificate is checked, never the proxy's
      done(null, tlsConnect({ ...connection, socket }));
    });
    tunnel.once("timeout", () => tunnel.destroy(new Error(`no answer to CONNECT within ${CONNECT_TIMEOUT_MS} ms`)));
    tunnel.once("error", (cause) => done(new ProxyRefused(undefined, cause)));
    tunnel.end();
    return undefined;
  };
  return {
    key,
    request: httpsRequest,
    agent,
    hostname,
    port,
    host: origin.host,
    proxy: { shown: proxy.shown, source: proxy.source },
    users: 0,
  };
}

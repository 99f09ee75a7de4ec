// A real HTTP proxy (the npm package `proxy`, CONNECT included) on 127.0.0.1, whose own connections to
// targets leave from 127.0.0.2, and targets that accept connections from there only: a request that
// arrives went through the proxy. Everything stops when the test (or file) that started it ends.
import { createServer, type IncomingMessage } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Socket } from "node:net";
import { createProxy } from "proxy";
import { listenOnLoopback } from "./listen.js";
import { certificates, startTlsServer } from "./tls.js";

/** The address the proxy connects out from. */
export const PROXY_EGRESS = "127.0.0.2";

export interface TestProxy {
  /** http://127.0.0.1:PORT, or with the credentials given. */
  url: string;
  port: number;
  /** Each CONNECT's authority and Proxy-Authorization header, in order. */
  connects: { authority: string; authorization: string | undefined }[];
}

/** A proxy; with `credentials`, it answers 407 to a request without them; with `tls`, it is reached over https (the test CA's certificate). */
export async function startProxy(credentials?: { user: string; password: string }, tls = false): Promise<TestProxy> {
  const server = createProxy(tls ? createHttpsServer({ key: certificates().key, cert: certificates().good }) : createServer());
  server.localAddress = PROXY_EGRESS;
  const connects: TestProxy["connects"] = [];
  server.prependListener("connect", (req: IncomingMessage) => {
    connects.push({ authority: req.url ?? "", authorization: req.headers["proxy-authorization"] });
  });
  if (credentials) {
    const expected = `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString("base64")}`;
    server.authenticate = (req) => req.headers["proxy-authorization"] === expected;
  }
  const port = await listenOnLoopback(server);
  const auth = credentials ? `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@` : "";
  return { url: `${tls ? "https" : "http"}://${auth}127.0.0.1:${port}`, port, connects };
}

/** Makes `server` (already created) destroy every connection that does not come from the proxy. */
export function acceptOnlyFromProxy(server: { on(event: "connection", listener: (socket: Socket) => void): unknown }): void {
  server.on("connection", (socket: Socket) => {
    if (socket.remoteAddress !== PROXY_EGRESS) socket.destroy();
  });
}

/** An https API that only the proxy can reach. In this process its CA is not trusted: reaching it ends in its certificate. */
export async function proxyOnlyTarget(answer?: (res: import("node:http").ServerResponse) => void) {
  const target = await startTlsServer(certificates().good, answer && ((_req, res) => answer(res)));
  acceptOnlyFromProxy(target.server);
  return target;
}

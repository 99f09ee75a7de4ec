// A real HTTP proxy (the npm package `proxy`, CONNECT included) on 127.0.0.1, whose own connections to
// targets leave from 127.0.0.2, and targets that accept connections from there only: a request that
// arrives went through the proxy. Everything stops when the test (or file) that started it ends.
import { createServer, type IncomingMessage, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { createProxy } from "proxy";
import { TEST_KEY, TRANSPORT } from "./client.js";
import { ROOT } from "./process.js";
import { registerTeardown } from "./teardown.js";
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
  await listen(server);
  const { port } = server.address() as AddressInfo;
  const auth = credentials ? `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@` : "";
  return { url: `${tls ? "https" : "http"}://${auth}127.0.0.1:${port}`, port, connects };
}

/** Makes `server` (already created) destroy every connection that does not come from the proxy. */
export function acceptOnlyFromProxy(server: { on(event: "connection", listener: (socket: Socket) => void): unknown }): void {
  server.on("connection", (socket: Socket) => {
    if (socket.remoteAddress !== PROXY_EGRESS) socket.destroy();
  });
}

async function listen(server: Server): Promise<void> {
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  registerTeardown(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
}

/** An https API that only the proxy can reach. In this process its CA is not trusted: reaching it ends in its certificate. */
export async function proxyOnlyTarget(answer?: (res: import("node:http").ServerResponse) => void) {
  const target = await startTlsServer(certificates().good, answer && ((_req, res) => answer(res)));
  acceptOnlyFromProxy(target.server);
  return target;
}

/** One call from a process of its own: through `proxy` (the option on Node; undici's ProxyAgent as the fetch, on fetch). */
export function clientScript(baseUrl: string, proxy?: string, transport = TRANSPORT): string {
  const options = `apiKey: ${JSON.stringify(TEST_KEY)}, baseUrl: ${JSON.stringify(baseUrl)}, maxRetries: 0`;
  const client =
    transport === "node"
      ? `import { createEnable3Client } from "enable3-client";
       const enable3 = createEnable3Client({ ${options}${proxy ? `, proxy: ${JSON.stringify(proxy)}` : ""} });`
      : `import { createEnable3Client } from "enable3-client/core";
       import { fetch as undiciFetch, ProxyAgent } from ${JSON.stringify(`${ROOT}/node_modules/undici/index.js`)};
       ${proxy ? `const dispatcher = new ProxyAgent(${JSON.stringify(proxy)});` : ""}
       const enable3 = createEnable3Client({ ${options}${proxy ? ", fetch: (url, init) => undiciFetch(url, { ...init, dispatcher })" : ""} });`;
  return `${client}
    try {
      const { balance } = await enable3.getUserBalance("u1");
      console.log(JSON.stringify({ ok: true, balance }));
    } catch (error) {
      console.log(JSON.stringify(error));
    }
    await enable3.close();
    process.exit(0);`;
}

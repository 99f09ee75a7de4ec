// Proxies on both transports, with a real one (npm `proxy`, CONNECT included) in front of targets that
// accept only the proxy's connections: a call that reaches the target went through the proxy; one that
// went direct is reset. The Node transport takes the `proxy` option (node-proxy.loopback.test.ts has the
// rest of its rules); the fetch transport leaves proxies to the fetch it uses, as the README's recipe does.
import { afterEach, describe, expect, it, vi } from "vitest";
import { Enable3ConnectionError, Enable3TlsError, Enable3ValidationError } from "../../src/index.js";
import { clientFor, TRANSPORT } from "../helpers/client.js";
import { proxyOnlyTarget, startProxy } from "../helpers/proxy.js";
import { oneCallScript, runWithSdk } from "../helpers/sdk-process.js";
import { certificates, startTlsServer } from "../helpers/tls.js";

const onNode = TRANSPORT === "node";
const credentials = { user: "egress", password: "s3cret-proxy-pass" };

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("the proxy option", () => {
  it(
    onNode
      ? "tunnels https through CONNECT to a target only the proxy can reach"
      : "is refused by the fetch transport, which leaves proxies to its fetch",
    async () => {
      const [proxy, target] = [await startProxy(), await proxyOnlyTarget()];
      if (!onNode) {
        expect(() => clientFor(target.url, { proxy: proxy.url })).toThrow(/needs the Node transport/);
        return;
      }
      const error = await clientFor(target.url, { proxy: proxy.url })
        .getUserBalance("u1")
        .catch((e: unknown) => e);
      // the target's own certificate, met inside the tunnel: the call got there
      expect(error).toBeInstanceOf(Enable3TlsError);
      expect(proxy.connects.map((c) => c.authority)).toEqual([`127.0.0.1:${target.port}`]);
      // and straight to the target, the connection is reset
      await expect(clientFor(target.url).getUserBalance("u1")).rejects.toMatchObject({ code: "connection_failed" });
    },
  );

  it(
    onNode
      ? "reaches the target through an authenticating proxy once the target's CA is trusted (NODE_EXTRA_CA_CERTS)"
      : "the README's recipe (a fetch on undici's ProxyAgent) reaches the target through an authenticating proxy",
    async () => {
      const [proxy, target] = [await startProxy(credentials), await proxyOnlyTarget()];
      const run = await runWithSdk(oneCallScript(target.url, { proxy: proxy.url }), {
        env: { NODE_EXTRA_CA_CERTS: certificates().caFile },
      });
      expect(run.result).toEqual({ ok: true, balance: "1.00" });
      expect(proxy.connects).toHaveLength(1);
      expect(proxy.connects[0]!.authorization).toBe(
        `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString("base64")}`,
      );
    },
  );

  it("must be an http(s) URL with no path, or false, checked when the client is made", () => {
    for (const bad of ["proxy:3128", "ftp://proxy:21", "http://proxy:3128/path", 3128, true])
      expect(() => clientFor("https://api.example", { proxy: bad as never })).toThrow(Enable3ValidationError);
    expect(() => clientFor("https://api.example", { proxy: false })).not.toThrow();
  });

  it("false sends direct whatever the environment says", async () => {
    const [proxy, target] = [await startProxy(), await startTlsServer(certificates().good)];
    vi.stubEnv("NODE_USE_ENV_PROXY", "1");
    vi.stubEnv("HTTPS_PROXY", proxy.url);
    await expect(clientFor(target.url, { proxy: false }).getUserBalance("u1")).rejects.toBeInstanceOf(Enable3TlsError);
    expect(proxy.connects).toHaveLength(0);
  });
});

describe("HTTPS_PROXY with NODE_USE_ENV_PROXY=1", () => {
  it(
    onNode
      ? "is used by the Node transport, whatever the Node version"
      : "is not read by the fetch transport (Node's own fetch reads it at start-up, from Node 24)",
    async () => {
      const [proxy, target] = [await startProxy(), await proxyOnlyTarget()];
      vi.stubEnv("NODE_USE_ENV_PROXY", "1");
      vi.stubEnv("HTTPS_PROXY", proxy.url);
      const error = await clientFor(target.url)
        .getUserBalance("u1")
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(onNode ? Enable3TlsError : Enable3ConnectionError);
      expect(proxy.connects).toHaveLength(onNode ? 1 : 0);
    },
  );
});

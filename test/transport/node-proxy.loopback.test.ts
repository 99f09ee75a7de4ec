// The Node transport's proxy rules, on the Node entry itself (this file runs the same in both
// loopback projects): the environment read as Node's NODE_USE_ENV_PROXY convention says, a proxy's
// refusals and absence as Enable3ProxyError, its credentials shown nowhere, and a 403 that names the
// IP Enable3 saw. A real proxy (npm `proxy`) in front of targets that accept only its connections.
import type { ServerResponse } from "node:http";
import { inspect } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ClientOptions, Logger } from "../../src/index.js";
import { Enable3ProxyError, Enable3TlsError } from "../../src/index.js";
import { createEnable3Client } from "../../src/index.node.js";
import { TEST_KEY } from "../helpers/client.js";
import { proxyOnlyTarget, startProxy } from "../helpers/proxy.js";
import { oneCallScript, runWithSdk } from "../helpers/sdk-process.js";
import { certificates, startTlsServer } from "../helpers/tls.js";

const retrying = { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 1 };
const credentials = { user: "egress", password: "s3cret-proxy-pass" };
const onNode = (baseUrl: string, options: Partial<ClientOptions> = {}) =>
  createEnable3Client({ apiKey: TEST_KEY, baseUrl, maxRetries: 0, ...options });

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("a proxy that refuses or is not there", () => {
  it("asking for credentials: an Enable3ProxyError (407), not retried, the credentials shown nowhere", async () => {
    const [proxy, target] = [await startProxy(credentials), await proxyOnlyTarget()];
    const wrong = proxy.url.replace(credentials.password, "wrong-password-123");
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const logger: Logger = { error: log, warn: log, info: log, debug: log };
    const error = await onNode(target.url, { ...retrying, proxy: wrong, logger, logLevel: "debug" })
      .getUserBalance("u1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3ProxyError);
    expect(error).toMatchObject({ status: 407, attempts: 1, retryable: false, proxy: `http://[redacted]@127.0.0.1:${proxy.port}` });
    expect((error as Error).message).toContain("asked for credentials (HTTP 407)");
    const everything = [inspect(error, { depth: 10, showHidden: true }), JSON.stringify(error), ...lines].join("\n");
    expect(everything).not.toContain("wrong-password-123");
    expect(everything).not.toContain(Buffer.from(`${credentials.user}:wrong-password-123`).toString("base64"));
    expect(proxy.connects).toHaveLength(1);
  });

  it("that cannot be reached: an Enable3ProxyError naming it, credentials redacted, retried like a refused connection", async () => {
    const target = await proxyOnlyTarget();
    const error = await onNode(target.url, { ...retrying, proxy: `http://egress:${credentials.password}@127.0.0.1:1` })
      .getUserBalance("u1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Enable3ProxyError);
    expect(error).toMatchObject({ status: undefined, attempts: 3, retryable: true });
    expect((error as Error).message).toContain("the proxy http://[redacted]@127.0.0.1:1 (from the proxy option) could not be reached");
    expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(credentials.password);
  });
});

describe("a proxy reached over https", () => {
  it("tunnels to the API inside its own TLS, each certificate checked (both CAs trusted in a process of its own)", async () => {
    const [proxy, target] = [await startProxy(credentials, true), await proxyOnlyTarget()];
    const run = await runWithSdk(oneCallScript(target.url, { proxy: proxy.url, transport: "node" }), {
      env: { NODE_EXTRA_CA_CERTS: certificates().caFile },
    });
    expect(run.result).toEqual({ ok: true, balance: "1.00" });
    expect(proxy.connects).toHaveLength(1);
  });
});

describe("the environment, as Node reads it", () => {
  it("HTTPS_PROXY alone is not used: Node's convention needs NODE_USE_ENV_PROXY=1 (or --use-env-proxy)", async () => {
    const [proxy, target] = [await startProxy(), await proxyOnlyTarget()];
    vi.stubEnv("HTTPS_PROXY", proxy.url);
    vi.stubEnv("NODE_USE_ENV_PROXY", "");
    await expect(onNode(target.url).getUserBalance("u1")).rejects.toMatchObject({ code: "connection_failed" });
    vi.stubEnv("NODE_OPTIONS", "--use-env-proxy");
    await expect(onNode(target.url).getUserBalance("u1")).rejects.toBeInstanceOf(Enable3TlsError);
    expect(proxy.connects).toHaveLength(1);
  });

  it("https_proxy (lower case) wins over HTTPS_PROXY, and NO_PROXY sends a matching host direct", async () => {
    const [proxy, target] = [await startProxy(), await proxyOnlyTarget()];
    vi.stubEnv("NODE_USE_ENV_PROXY", "1");
    vi.stubEnv("HTTPS_PROXY", "http://127.0.0.1:1");
    vi.stubEnv("https_proxy", proxy.url);
    await expect(onNode(target.url).getUserBalance("u1")).rejects.toBeInstanceOf(Enable3TlsError);
    expect(proxy.connects).toHaveLength(1);
    vi.stubEnv("NO_PROXY", "example.com, 127.0.0.1");
    await expect(onNode(target.url).getUserBalance("u1")).rejects.toMatchObject({ code: "connection_failed" });
    expect(proxy.connects).toHaveLength(1);
  });

  it("a base URL on this machine over plain http is never proxied", async () => {
    const proxy = await startProxy();
    vi.stubEnv("NODE_USE_ENV_PROXY", "1");
    vi.stubEnv("HTTP_PROXY", proxy.url);
    const target = await startTlsServer(certificates().good);
    const plain = target.url.replace("https:", "http:"); // nothing answers plain http there: any answer came direct
    await expect(onNode(plain).getUserBalance("u1")).rejects.toMatchObject({ code: "connection_failed" });
    expect(proxy.connects).toHaveLength(0);
  });
});

describe("a 403 says which IP Enable3 saw", () => {
  const forbidden = (res: ServerResponse) => {
    res.writeHead(403, { "content-type": "application/json" });
    res.end('{"message":"Forbidden"}');
  };

  it("through a proxy: the proxy's egress IP", async () => {
    const [proxy, target] = [await startProxy(), await proxyOnlyTarget(forbidden)];
    const run = await runWithSdk(oneCallScript(target.url, { proxy: proxy.url, transport: "node" }), {
      env: { NODE_EXTRA_CA_CERTS: certificates().caFile },
    });
    expect(run.result).toMatchObject({ name: "Enable3PermissionError", status: 403 });
    expect((run.result as { message: string }).message).toContain(
      `Enable3 sees the egress IP of the proxy http://127.0.0.1:${proxy.port} (from the proxy option)`,
    );
  });

  it("with HTTPS_PROXY set but not turned on: says it was not used, and why", async () => {
    const target = await startTlsServer(certificates().good, (_req, res) => forbidden(res));
    const run = await runWithSdk(oneCallScript(target.url, { proxy: undefined, transport: "node" }), {
      env: { NODE_EXTRA_CA_CERTS: certificates().caFile, HTTPS_PROXY: "http://proxy.example:3128", NODE_USE_ENV_PROXY: undefined },
    });
    expect((run.result as { message: string }).message).toContain(
      "HTTPS_PROXY is set but not used (Node reads it only with NODE_USE_ENV_PROXY=1; or pass the proxy option)",
    );
  });
});

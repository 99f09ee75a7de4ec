// Each way the road to the API can fail, met for real on 127.0.0.1 (servers that refuse, hang, redirect,
// serve a web page or a bad certificate; a proxy that asks for credentials or drops its tunnel):
// `enable3 doctor` fails at the check where it happened, says what it was, and what to fix; every check
// before it passed, every one after it is skipped. The proxy rows run on the Node transport (the CLI's
// --proxy needs it); the wrong-host certificate needs its CA trusted, so the CLI runs as a process of
// its own started with NODE_EXTRA_CA_CERTS.
import { createServer, type Server } from "node:net";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { runDoctor } from "../../src/cli/doctor.js";
import { runCliFromSource } from "../helpers/cli-source.js";
import { TEST_KEY, TRANSPORT } from "../helpers/client.js";
import { BALANCE } from "../helpers/faults.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { listenOnLoopback } from "../helpers/listen.js";
import { proxyOnlyTarget, startProxy } from "../helpers/proxy.js";
import { certificates, startTlsServer } from "../helpers/tls.js";

interface Check {
  name: string;
  status: string;
  detail: string;
  fix?: string;
}

const ORDER = ["dns", "tcp", "proxy", "tls", "api", "key"];
/** The rows that wait for an answer that never comes wait this long; the others keep the doctor's default (10 s), so a loaded machine cannot turn their failure into a timeout. */
const HANG_MS = 1_000;
const waitingOut = ["--timeout-ms", String(HANG_MS)];

async function doctor(args: string[]): Promise<{ code: number; checks: Check[] }> {
  let text = "";
  const out = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  const env = { ENABLE3_API_KEY: TEST_KEY, ...(TRANSPORT === "fetch" ? { ENABLE3_TRANSPORT: "fetch" } : {}) };
  const code = await runDoctor([...args, "--json"], env, out);
  return { code, checks: (JSON.parse(text) as { checks: Check[] }).checks };
}

/** A server that accepts TCP connections and never sends a byte. */
async function silentServer() {
  return listenOnLoopback(createServer(() => {}));
}

/** A proxy that answers CONNECT with 200, then closes the tunnel. */
async function droppingProxy() {
  const server: Server = createServer((socket) => {
    socket.once("data", () => socket.end("HTTP/1.1 200 Connection established\r\n\r\n", () => socket.destroy()));
  });
  return listenOnLoopback(server);
}

type Row = [situation: string, args: () => Promise<string[]>, failed: string, detail: string, fix: string];

const direct: Row[] = [
  [
    "a refused port",
    async () => {
      const server = await startScriptedServer((_req, res) => reply(res, 200, BALANCE));
      await server.close();
      return ["--base-url", server.url];
    },
    "tcp",
    "ECONNREFUSED",
    "check --base-url's port",
  ],
  ["a host that does not resolve", async () => ["--base-url", "https://api.enable3-doctor.invalid"], "dns", "does not resolve", "DNS"],
  [
    "a TCP connection that is never answered (https)",
    async () => ["--base-url", `https://127.0.0.1:${await silentServer()}`, ...waitingOut],
    "tls",
    "TCP connected to 127.0.0.1",
    "accepts connections on port",
  ],
  [
    "TLS to a plain-http port",
    async () => ["--base-url", (await startScriptedServer((_req, res) => reply(res, 200, BALANCE))).url.replace("http:", "https:")],
    "tls",
    "does not speak TLS",
    "the port speaks plain http: check --base-url's scheme and port",
  ],
  [
    "a certificate from a CA this machine does not trust",
    async () => ["--base-url", (await startTlsServer(certificates().good)).url],
    "tls",
    "not signed by a CA this machine trusts",
    "NODE_EXTRA_CA_CERTS",
  ],
  [
    "an expired certificate",
    async () => ["--base-url", (await startTlsServer(certificates().expired)).url],
    "tls",
    "expired",
    "this machine's clock",
  ],
  [
    "a plain-http server that never answers",
    async () => ["--base-url", (await startScriptedServer(() => {})).url, ...waitingOut],
    "api",
    `no HTTP answer in ${HANG_MS} ms`,
    "raise --timeout-ms",
  ],
  [
    "a redirect",
    async () => [
      "--base-url",
      (await startScriptedServer((_req, res) => reply(res, 301, "", { location: "https://www.enable3.io/" }))).url,
    ],
    "api",
    "a redirect (HTTP 301) to www.enable3.io",
    "if https://www.enable3.io is the Enable3 API, set --base-url to it",
  ],
  [
    "a web page with 200",
    async () => [
      "--base-url",
      (await startScriptedServer((_req, res) => reply(res, 200, "<!doctype html><title>Welcome</title>", { "content-type": "text/html" })))
        .url,
    ],
    "api",
    "HTML page: not the Enable3 API",
    "set --base-url to the API's root, https://integration.enable3.io",
  ],
  [
    "a 401",
    async () => ["--base-url", (await startScriptedServer((_req, res) => reply(res, 401, { message: "no" }))).url],
    "key",
    "the API refused the key (401)",
    "check ENABLE3_API_KEY",
  ],
  [
    "a 403",
    async () => ["--base-url", (await startScriptedServer((_req, res) => reply(res, 403, { message: "no" }))).url],
    "key",
    "not allowed (403): usually the IP allow-list",
    "allow-list this machine's public IP",
  ],
  [
    "a 404",
    async () => ["--base-url", (await startScriptedServer((_req, res) => reply(res, 404, { message: "no" }))).url],
    "api",
    "no such path (404)",
    "--base-url must be the API's root, with no /api/v1",
  ],
];

const throughAProxy: Row[] = [
  [
    "a proxy that wants credentials (407)",
    async () => [
      "--base-url",
      (await proxyOnlyTarget()).url,
      "--proxy",
      `http://127.0.0.1:${(await startProxy({ user: "u", password: "p" })).port}`,
    ],
    "proxy",
    "asked for credentials (HTTP 407)",
    "--proxy-file FILE",
  ],
  [
    "a proxy that drops the tunnel",
    async () => ["--base-url", (await proxyOnlyTarget()).url, "--proxy", `http://127.0.0.1:${await droppingProxy()}`],
    "proxy",
    "opened a tunnel to 127.0.0.1",
    "the proxy (or a firewall behind it) ends connections",
  ],
];

function expectFailedAt(checks: Check[], failed: string, detail: string, fix: string) {
  expect(checks.map((c) => c.name)).toEqual(ORDER);
  const at = ORDER.indexOf(failed);
  const failure = checks[at]!;
  expect(failure).toMatchObject({ status: "failed" });
  expect(failure.detail).toContain(detail);
  expect(failure.fix).toContain(fix);
  for (const before of checks.slice(0, at)) expect(before.status, before.name).not.toBe("failed");
  for (const after of checks.slice(at + 1)) expect(after).toMatchObject({ status: "skipped", detail: `the ${failed} check failed` });
}

describe("enable3 doctor names each failure at its check, with its fix", () => {
  it.each(TRANSPORT === "node" ? [...direct, ...throughAProxy] : direct)("%s", async (_situation, args, failed, detail, fix) => {
    const { code, checks } = await doctor(await args());
    expect(code).toBe(1);
    expectFailedAt(checks, failed, detail, fix);
  });

  it("a certificate for another host (its CA trusted), and the exit code the shell sees", async () => {
    const server = await startTlsServer(certificates().wrongName);
    const run = await runCliFromSource(["doctor", "--base-url", server.url, "--json"], {
      ENABLE3_API_KEY: TEST_KEY,
      NODE_EXTRA_CA_CERTS: certificates().caFile,
      ...(TRANSPORT === "fetch" ? { ENABLE3_TRANSPORT: "fetch" } : {}),
    });
    expect(run.code).toBe(1);
    expectFailedAt(
      (JSON.parse(run.stdout) as { checks: Check[] }).checks,
      "tls",
      "the certificate is for another host",
      "check --base-url",
    );
  });
});

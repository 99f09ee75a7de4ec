// `enable3 doctor` against real servers, a real proxy and real TLS: each failure is found at its step,
// read for what it means, and comes with what to fix; --json gives the same checks as data. In the
// fetch project it runs with ENABLE3_TRANSPORT=fetch, as the CLI would.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { runDoctor } from "../../src/cli/doctor.js";
import { runCliFromSource } from "../helpers/cli-source.js";
import { TEST_KEY, TRANSPORT } from "../helpers/client.js";
import { BALANCE } from "../helpers/faults.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { proxyOnlyTarget, startProxy } from "../helpers/proxy.js";
import { makeTempDir } from "../helpers/temp-dir.js";
import { certificates, startTlsServer } from "../helpers/tls.js";

interface Report {
  ok: boolean;
  baseUrl: string;
  baseUrlSource: string;
  checks: { name: string; status: string; detail: string; fix?: string }[];
}

async function doctor(args: string[], env: Record<string, string | undefined> = { ENABLE3_API_KEY: TEST_KEY }) {
  let text = "";
  const out = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  const transport = TRANSPORT === "fetch" ? { ENABLE3_TRANSPORT: "fetch" } : {};
  const code = await runDoctor([...args, "--json"], { ...transport, ...env }, out);
  const report = JSON.parse(text) as Report;
  const check = (name: string) => report.checks.find((c) => c.name === name)!;
  return { code, report, check };
}

/** A file holding `url` on its first line, as --proxy-file reads it. */
async function proxyFile(url: string) {
  const file = path.join(await makeTempDir("enable3-doctor"), "proxy");
  await writeFile(file, `${url}\n`);
  return file;
}

const statuses = (report: Report) => Object.fromEntries(report.checks.map((c) => [c.name, c.status]));

describe("enable3 doctor", () => {
  it("passes every check against an API that accepts the key, and never prints the key", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 200, BALANCE));
    const { code, report } = await doctor(["--base-url", server.url]);
    expect(code).toBe(0);
    expect(statuses(report)).toEqual({ dns: "ok", tcp: "ok", proxy: "skipped", tls: "skipped", api: "ok", key: "ok" });
    expect(JSON.stringify(report)).not.toContain(TEST_KEY);
    expect(server.requests[0]!.url).toBe("/api/v1/integration/user/enable3-doctor/balance");
  });

  it("names the certificate problem at the TLS step, with NODE_EXTRA_CA_CERTS as the fix", async () => {
    const server = await startTlsServer(certificates().good);
    const { code, report, check } = await doctor(["--base-url", server.url]);
    expect(code).toBe(1);
    expect(statuses(report)).toMatchObject({ dns: "ok", tcp: "ok", tls: "failed", api: "skipped", key: "skipped" });
    expect(check("tls").detail).toContain("not signed by a CA this machine trusts");
    expect(check("tls").fix).toContain("NODE_EXTRA_CA_CERTS");
  });

  it("stops at TCP when nothing listens, and skips what depends on it", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 200, BALANCE));
    const url = server.url;
    await server.close();
    const { code, report, check } = await doctor(["--base-url", url]);
    expect(code).toBe(1);
    expect(statuses(report)).toEqual({ dns: "ok", tcp: "failed", proxy: "skipped", tls: "skipped", api: "skipped", key: "skipped" });
    expect(check("tcp").detail).toContain("ECONNREFUSED");
  });

  it("without a key still checks the network and that the API answers, and skips the key", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 401));
    const { code, check } = await doctor(["--base-url", server.url], {});
    expect(code).toBe(0);
    expect(check("api")).toMatchObject({ status: "ok", detail: `the API answered HTTP 401 at ${new URL(server.url).host}` });
    expect(check("key")).toMatchObject({ status: "skipped", detail: "ENABLE3_API_KEY is not set" });
    // a wrong path is not the key's business: it fails with a key or without
    const missing = await startScriptedServer((_req, res) => reply(res, 404, { message: "no" }));
    const wrongPath = await doctor(["--base-url", missing.url], {});
    expect(wrongPath.code).toBe(1);
    expect(wrongPath.check("api")).toMatchObject({ status: "failed", detail: "the API has no such path (404)" });
  });

  it(
    TRANSPORT === "node"
      ? "through a proxy: DNS and TCP of the proxy, its refusal read at the proxy step"
      : "with ENABLE3_TRANSPORT=fetch, refuses --proxy as a usage error",
    async () => {
      const [proxy, target] = [await startProxy({ user: "u", password: "right-password" }), await proxyOnlyTarget()];
      const wrong = await proxyFile(proxy.url.replace("right-password", "wrong-password"));
      if (TRANSPORT === "fetch") {
        await expect(doctor(["--base-url", target.url, "--proxy", `http://127.0.0.1:${proxy.port}`])).rejects.toThrow(
          /--proxy needs the Node transport/,
        );
        return;
      }
      const refused = await doctor(["--base-url", target.url, "--proxy-file", wrong]);
      expect(statuses(refused.report)).toEqual({ dns: "ok", tcp: "ok", proxy: "failed", tls: "skipped", api: "skipped", key: "skipped" });
      expect(refused.check("tcp").detail).toContain(`127.0.0.1:${proxy.port}`);
      expect(refused.check("proxy").fix).toContain("credentials");
      expect(refused.check("proxy").fix).toContain("--proxy-file FILE");
      expect(JSON.stringify(refused.report)).not.toContain("wrong-password");
      // with the right credentials the tunnel opens, and the target's certificate is the next thing to fix
      const tunnelled = await doctor(["--base-url", target.url, "--proxy-file", await proxyFile(proxy.url)]);
      expect(statuses(tunnelled.report)).toMatchObject({ tls: "failed", proxy: "ok" });
    },
  );

  it("refuses credentials in --proxy (every user sees arguments in ps), naming where they go instead, never echoing them", async () => {
    for (const proxy of ["http://u:s3cret-pw@127.0.0.1:3128", "http://s3cret-pw@127.0.0.1:3128"]) {
      const refused = await doctor(["--base-url", "https://127.0.0.1:1", "--proxy", proxy]).catch((error: unknown) => error as Error);
      expect(refused).toMatchObject({ name: "UsageError" });
      const message = (refused as Error).message;
      expect(message).toContain("--proxy");
      expect(message).toContain("ps");
      expect(message).toContain("--proxy-file FILE");
      expect(message).toContain("HTTPS_PROXY");
      expect(message).toContain("NODE_USE_ENV_PROXY=1");
      expect(message).not.toContain("s3cret-pw");
    }
    // the shell sees a usage error (2), and the password is not printed back
    const run = await runCliFromSource(["doctor", "--proxy", "http://u:s3cret-pw@127.0.0.1:3128"], { ENABLE3_API_KEY: TEST_KEY });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--proxy-file FILE");
    expect(run.stdout + run.stderr).not.toContain("s3cret-pw");
  });

  it(`reads a proxy with credentials from --proxy-file (its first line), never printing them${TRANSPORT === "fetch" ? " (refused on fetch)" : ""}`, async () => {
    const [proxy, target] = [await startProxy({ user: "u", password: "file-password" }), await proxyOnlyTarget()];
    const file = await proxyFile(proxy.url);
    if (TRANSPORT === "fetch") {
      await expect(doctor(["--base-url", target.url, "--proxy-file", file])).rejects.toThrow(/--proxy-file needs the Node transport/);
      return;
    }
    const { report } = await doctor(["--base-url", target.url, "--proxy-file", file]);
    expect(statuses(report)).toMatchObject({ tcp: "ok", proxy: "ok", tls: "failed" });
    expect(proxy.connects[0]!.authorization).toBe(`Basic ${Buffer.from("u:file-password").toString("base64")}`);
    expect(JSON.stringify(report)).not.toContain("file-password");
    const human = await runCliFromSource(["doctor", "--base-url", target.url, "--proxy-file", file]);
    expect(human.stdout).toContain(`through http://[redacted]@127.0.0.1:${proxy.port} (from --proxy-file)`);
    expect(human.stdout).not.toContain("file-password");
    await expect(doctor(["--proxy-file", `${file}.missing`])).rejects.toThrow(/--proxy-file .*missing: ENOENT/);
    await expect(doctor(["--proxy", "http://127.0.0.1:1", "--proxy-file", file])).rejects.toThrow(/--proxy or --proxy-file, not both/);
  });

  it("names the base URL's real source: ENABLE3_BASE_URL when it came from there, --base-url when typed", async () => {
    const fromEnv = { ENABLE3_API_KEY: TEST_KEY, ENABLE3_BASE_URL: "ftp://api.example" };
    await expect(doctor([], fromEnv)).rejects.toThrow(/^ENABLE3_BASE_URL must be/);
    await expect(doctor(["--base-url", "ftp://api.example"])).rejects.toThrow(/^--base-url must be/);
    const unresolved = await doctor([], { ...fromEnv, ENABLE3_BASE_URL: "https://api.nowhere.invalid" });
    expect(unresolved.report).toMatchObject({ baseUrl: "https://api.nowhere.invalid", baseUrlSource: "ENABLE3_BASE_URL" });
    expect(unresolved.check("dns").fix).toContain("ENABLE3_BASE_URL");
    const typed = await doctor(["--base-url", "https://api.nowhere.invalid"], fromEnv);
    expect(typed.report).toMatchObject({ baseUrlSource: "--base-url" });
    expect(typed.check("dns").fix).toContain("--base-url");
  });
});

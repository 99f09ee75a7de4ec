// What trips a user in their first hour with the CLI, each a defect that once shipped: the id of a
// failed send, where the key comes from, a misspelt or empty variable, escape sequences from the API.
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { TEST_KEY } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";

const env = (url: string, extra: Record<string, string> = {}) => ({ ENABLE3_API_KEY: TEST_KEY, ENABLE3_BASE_URL: url, ...extra });

/** A port nothing listens on. */
async function closedPort(): Promise<string> {
  const server = await startScriptedServer(() => {});
  await server.close();
  return server.url;
}

describe("a send that fails still says which id it went with", () => {
  it.each([
    ["event", ["event", "--user", "u1", "--event", "deposit", "--value", "5"], "--id"],
    ["revenue", ["revenue", "--revenue", "5"], "--request-id"],
  ])("%s: the generated id is printed with the error, and --json carries it", async (_name, args, flag) => {
    const url = await closedPort();
    const human = await runCli([...args, "--max-retries", "0"], env(url));
    expect(human.code).toBe(1);
    const id = new RegExp(
      `It was sent with ${flag} ([0-9a-f-]{36}): to retry without counting it twice, run the same command with ${flag} \\1`,
    ).exec(human.stderr);
    expect(id, human.stderr).not.toBeNull();
    const json = await runCli([...args, "--max-retries", "0", "--json"], env(url));
    expect(JSON.parse(json.stderr)).toMatchObject({
      error: { name: "Enable3ConnectionError" },
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it("the id given with --id is the one sent, and the one printed when it fails", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 503));
    const result = await runCli(
      ["event", "--user", "u1", "--event", "deposit", "--value", "5", "--id", "dep-7", "--max-retries", "0"],
      env(server.url),
    );
    expect(result.stderr).toMatch(/It was sent with --id dep-7/);
    expect(JSON.parse(server.requests[0]!.body).id).toBe("dep-7");
  });

  it("bad input sends nothing, so no id is offered", async () => {
    const result = await runCli(["event", "--user", " ", "--event", "deposit", "--value", "5"], env(await closedPort()));
    expect(result.code).toBe(2);
    expect(result.stderr).not.toMatch(/sent with/);
  });
});

describe("where the key and settings come from", () => {
  it("--api-key is refused with a pointer to ENABLE3_API_KEY", async () => {
    const result = await runCli(["balance", "u1", "--api-key", "secret-in-ps"], { ENABLE3_API_KEY: "" });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/read only from the environment variable ENABLE3_API_KEY/);
    expect(result.stderr).not.toContain("secret-in-ps");
  });

  it("a key with a trailing newline is named as ENABLE3_API_KEY, and the newline said", async () => {
    const result = await runCli(["balance", "u1"], env("http://127.0.0.1:1", { ENABLE3_API_KEY: `${TEST_KEY}\n` }));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: ENABLE3_API_KEY begins or ends with a space or line break/);
    expect(result.stderr).not.toContain(TEST_KEY);
  });

  it("a misspelt ENABLE3_TRANSPORT is refused, not ignored", async () => {
    const result = await runCli(["balance", "u1"], env("http://127.0.0.1:1", { ENABLE3_TRANSPORT: "fecth" }));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/ENABLE3_TRANSPORT must be "node" \(the default\) or "fetch", got "fecth"/);
  });

  it("an empty ENABLE3_BASE_URL is unset, as in the library (the production URL), not a usage error", async () => {
    const { clientFrom } = await import("../../src/cli/config.js");
    expect(() => clientFrom({}, { ENABLE3_API_KEY: TEST_KEY, ENABLE3_BASE_URL: "" })).not.toThrow();
  });
});

describe("text from the API reaches the terminal inert", () => {
  it("escape sequences in an error's reason and in a widget URL are printed as escapes", async () => {
    const server = await startScriptedServer((req, res) =>
      req.url.includes("/widget")
        ? reply(res, 200, { url: "https://widget.example/?t=\u001b]0;pwned\u0007x" })
        : reply(res, 400, { message: "no \u001b[2J\u001b[31mcleared" }),
    );
    const error = await runCli(["balance", "u1"], env(server.url));
    expect(error.stderr).not.toContain("\u001b");
    expect(error.stderr).toContain("no \\x1b[2J\\x1b[31mcleared");
    const widget = await runCli(["widget-url", "u1"], env(server.url));
    expect(widget.stdout).not.toContain("\u001b");
    expect(widget.stdout).not.toContain("\u0007");
    expect(widget.stdout).toContain("https://widget.example/?t=\\x1b]0;pwned\\x07x");
    // JSON output is escaped by JSON itself
    expect((await runCli(["widget-url", "u1", "--json"], env(server.url))).stdout).not.toContain("\u001b");
  });
});

describe("enable3 mock", () => {
  it("a busy port is one line saying so, not Prism's help", async () => {
    const busy = await startScriptedServer(() => {});
    const port = new URL(busy.url).port;
    const result = await runCli(["mock", "--port", port]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
  });

  it.each([
    ["SIGKILL", null],
    ["SIGHUP", 129],
  ] as const)(
    "killed with %s, it leaves no Prism running",
    async (signal, exitCode) => {
      const { startCli } = await import("../helpers/cli.js");
      const run = startCli(["mock", "--json"]);
      const started = await new Promise<{ baseUrl: string }>((resolve, reject) => {
        let out = "";
        run.child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          if (out.includes("\n")) resolve(JSON.parse(out));
        });
        run.child.once("exit", () => reject(new Error(`enable3 mock exited: ${run.stderr()}`)));
      });
      const port = Number(new URL(started.baseUrl).port);
      const listening = () =>
        new Promise<boolean>((resolve) => {
          const socket = connect(port, "127.0.0.1");
          socket.once("connect", () => {
            socket.destroy();
            resolve(true);
          });
          socket.once("error", () => resolve(false));
        });
      expect(await listening()).toBe(true);
      run.child.kill(signal);
      const result = await run.result;
      if (exitCode !== null) expect(result.code).toBe(exitCode);
      await expect.poll(listening, { interval: 100 }).toBe(false);
    },
    60_000,
  );
});

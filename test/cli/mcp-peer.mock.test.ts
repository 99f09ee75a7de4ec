// The MCP SDK is an optional peer: in an install without it, the library's entries and every other
// command load and run, and `enable3 mcp` says what to install. The install is dist/, package.json
// and the spec, with only the runtime dependencies package-lock.json lists (no dev ones) beside them.
import { execFile } from "node:child_process";
import { cp, mkdir, readFile, symlink } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { TEST_KEY } from "../helpers/client.js";
import { ROOT } from "../helpers/process.js";
import { makeTempDir } from "../helpers/temp-dir.js";

let install: string;

beforeAll(async () => {
  install = await makeTempDir("enable3-no-mcp");
  for (const part of ["dist", "package.json", "openapi/enable3.openapi.json"])
    await cp(path.join(ROOT, part), path.join(install, part), { recursive: true });
  const lock = JSON.parse(await readFile(path.join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean }> };
  const runtime = Object.entries(lock.packages).filter(([at, p]) => at.startsWith("node_modules/") && !p.dev);
  for (const [at] of runtime) {
    await mkdir(path.dirname(path.join(install, at)), { recursive: true });
    await symlink(path.join(ROOT, at), path.join(install, at), "dir");
  }
});

const run = (args: string[]) =>
  promisify(execFile)(process.execPath, args, { cwd: install, env: { PATH: process.env.PATH, ENABLE3_API_KEY: TEST_KEY } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe("without @modelcontextprotocol/sdk installed", () => {
  it("the library's entries import and the other commands run: none of them loads the MCP SDK", async () => {
    // every entry but ./opentelemetry, which needs its own optional peer (@opentelemetry/api)
    const entries = ["index.js", "index.node.js", "callback.js", "widget.js", "outbox.js", "mock.js"];
    const script = `for (const e of ${JSON.stringify(entries)}) await import("./dist/" + e); console.log("imported");`;
    const imported = await run(["--input-type=module", "-e", script]);
    expect(imported.stderr).toBe("");
    expect(imported.stdout).toBe("imported\n");
    expect((await run(["-e", "require.resolve('@modelcontextprotocol/sdk/server/index.js')"])).code).not.toBe(0); // it really is absent
    const help = await run(["dist/cli/main.js", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("mcp");
    expect((await run(["dist/cli/main.js", "mcp", "--help"])).code).toBe(0);
  });

  it("enable3 mcp exits 2 and names the package to install", async () => {
    const result = await run(["dist/cli/main.js", "mcp"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /enable3 mcp needs the MCP SDK, an optional peer dependency that is not installed: npm install @modelcontextprotocol\/sdk@"\^1\.32\.\d+"/,
    );
  });
});

// The bin runs the CLI when executed, directly or through npm's link, and does nothing when imported.
import { execFile } from "node:child_process";
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { CLI } from "../helpers/cli.js";
import { makeTempDir } from "../helpers/temp-dir.js";

const exec = promisify(execFile);

it("importing the bin module runs nothing", async () => {
  const { stdout, stderr } = await exec(process.execPath, [
    "--input-type=module",
    "-e",
    `const m = await import(${JSON.stringify(CLI)}); console.log(typeof m.main, process.exitCode ?? "unset")`,
  ]);
  expect(stdout).toBe("function unset\n");
  expect(stderr).toBe("");
});

it("runs through a symlink, as npm installs the bin", async () => {
  const bin = path.join(await makeTempDir("enable3-bin"), "node_modules/.bin");
  await mkdir(bin, { recursive: true });
  await symlink(CLI, path.join(bin, "enable3"));
  const { stdout } = await exec(process.execPath, [path.join(bin, "enable3"), "--help"]);
  expect(stdout).toMatch(/^Usage: enable3 <command>/);
});

/** The modules of dist/cli/ a run of the bin loads (a load hook appends each URL to a file as it loads). */
async function cliModulesLoaded(args: string[]): Promise<string[]> {
  const dir = await makeTempDir("enable3-loads");
  const log = path.join(dir, "loaded.txt");
  const hooks = path.join(dir, "hooks.mjs");
  await writeFile(
    hooks,
    `import { appendFileSync } from "node:fs";\nexport async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + "\\n"); return next(url, context); }\n`,
  );
  const register = path.join(dir, "register.mjs");
  await writeFile(register, `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  await exec(process.execPath, ["--import", pathToFileURL(register).href, CLI, ...args]).catch(() => {});
  const cli = pathToFileURL(path.dirname(CLI)).href;
  return (await readFile(log, "utf8"))
    .split("\n")
    .filter((url) => url.startsWith(`${cli}/`))
    .map((url) => url.slice(cli.length + 1));
}

it("each command's module is loaded only when that command runs: --help and balance load no MCP, import or mock module", async () => {
  const help = await cliModulesLoaded(["--help"]);
  expect(help).toContain("main.js");
  expect(help.filter((m) => /^(mcp\/|import|mock|doctor|callback)/.test(m))).toEqual([]);
  const balance = await cliModulesLoaded(["balance", "--help"]);
  expect(balance.filter((m) => /^(mcp\/|import|mock|doctor|callback)/.test(m))).toEqual([]);
  const mcp = await cliModulesLoaded(["mcp", "--help"]);
  expect(mcp).toContain("mcp/command.js");
});

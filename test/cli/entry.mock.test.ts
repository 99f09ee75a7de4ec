// The bin runs the CLI when executed, directly or through npm's link, and does nothing when imported.
import { execFile } from "node:child_process";
import { mkdir, symlink } from "node:fs/promises";
import path from "node:path";
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

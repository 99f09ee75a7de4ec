#!/usr/bin/env node
// Run by `npm version` (the "version" script, after package.json is bumped, before the commit):
// writes package.json's version into src/internal/version.ts and stages it, so the release commit
// carries both. test/source/version.test.ts fails if they ever differ.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

const file = new URL("../src/internal/version.ts", import.meta.url);
const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const text = readFileSync(file, "utf8").replace(/PACKAGE_VERSION = "[^"]*"/, `PACKAGE_VERSION = ${JSON.stringify(version)}`);
writeFileSync(file, text);
try {
  // `npm version` commits what is staged: the new version.ts goes into the release commit
  execFileSync("git", ["add", "src/internal/version.ts"], { stdio: "ignore" });
} catch {
  // not a git checkout (a copy of the project): the file is written all the same
}
console.log(`src/internal/version.ts: ${version}`);

// test/README.md names every folder under test/, so a reader finds where a test belongs.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";

const TEST = path.resolve(import.meta.dirname, "..");

it("test/README.md names every folder under test/", () => {
  const readme = readFileSync(path.join(TEST, "README.md"), "utf8");
  const folders = readdirSync(TEST, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  expect(folders.filter((folder) => !new RegExp(`(^|[\\s(,])${folder}/`).test(readme))).toEqual([]);
});

// Each src folder's README says what the folder imports: its "Imports …" line names (in backticks)
// every folder its files import at run time, and names no folder they do not import at all (a folder
// named for its types is imported for types). The CLI's line names the entry files it imports.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { groupOf, importsOf, SRC, sourceFiles } from "./source-graph.js";

const files = sourceFiles();
const folders = [...new Set(files.map(groupOf))].filter((group) => group !== "entry").sort();

/**
 * The README's clause about what the folder imports: the first line that says "imports" (or "it/they
 * import"), its first `;`-separated clause that does, up to "never" (what it refuses is not what it imports).
 */
function importsLine(folder: string): string {
  const readme = readFileSync(path.join(SRC, folder, "README.md"), "utf8");
  const says = (text: string) => /(^|\s)(imports|(it|they) import)\b(?![.-])/i.test(text);
  const line = readme.split("\n").find(says);
  if (line === undefined) throw new Error(`src/${folder}/README.md has no line saying what it imports`);
  return line
    .split(";")
    .find(says)!
    .split(/\bnever\b/)[0]!;
}

/** What a group's files import from outside it: folders, and entry files (as "index.ts"…). */
function importedBy(folder: string, types: boolean): Set<string> {
  const found = new Set<string>();
  for (const file of files.filter((f) => groupOf(f) === folder)) {
    for (const target of importsOf(file, { types })) {
      const group = groupOf(target);
      if (group === folder) continue;
      found.add(group === "entry" ? path.basename(target) : group);
    }
  }
  return found;
}

/** What the line names: `client/` as "client", `../index.js` as "index.ts". */
function named(line: string): Set<string> {
  const names = new Set<string>();
  for (const [, token] of line.matchAll(/`([^`]+)`/g)) {
    if (/^[a-z]+\/$/.test(token!)) names.add(token!.slice(0, -1));
    else if (/^\.\.\/[\w.-]+\.js$/.test(token!)) names.add(token!.slice(3).replace(/\.js$/, ".ts"));
  }
  return names;
}

describe("folder READMEs' imports lines", () => {
  it.each(folders)("src/%s/README.md names every folder its files import at run time, and none they do not import", (folder) => {
    const names = named(importsLine(folder));
    const atRunTime = importedBy(folder, false);
    const atAll = importedBy(folder, true);
    expect([...atRunTime].filter((name) => !names.has(name)).sort(), "imported at run time, not named").toEqual([]);
    expect([...names].filter((name) => !atAll.has(name)).sort(), "named, never imported").toEqual([]);
  });

  it("reads the lines it holds", () => {
    expect(named("Imports `client/` (types), `postgres/` and `../index.js`; never `pg`")).toEqual(
      new Set(["client", "postgres", "index.ts"]),
    );
    expect(importsLine("transport")).not.toMatch(/never|client/);
  });
});

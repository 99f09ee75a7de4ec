// The documentation holds together in the repository: every relative link in README.md,
// CONTRIBUTING.md and docs/*.md reaches a file (and a heading, for an anchor); every code block says how
// it is checked (test/package/tarball.package.test.ts type-checks and runs them); the README stays a
// ten-minute read and starts with the two commands CI runs (.ci/run).
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { codeBlocks, docFiles, headingAnchors, readDoc, relativeLinks } from "../helpers/doc-blocks.js";
import { ROOT } from "../helpers/process.js";

describe("documentation", () => {
  it("every relative link resolves to a file or folder, and every anchor to a heading of its target", () => {
    const broken: string[] = [];
    for (const file of docFiles()) {
      for (const link of relativeLinks(file)) {
        if (!existsSync(path.join(ROOT, link.target))) broken.push(`${file}: ${link.href} (no ${link.target})`);
        else if (link.anchor !== undefined && !headingAnchors(readDoc(link.target)).has(link.anchor)) {
          broken.push(`${file}: ${link.href} (no heading #${link.anchor} in ${link.target})`);
        }
      }
    }
    expect(broken).toEqual([]);
    expect(relativeLinks("README.md").length).toBeGreaterThan(10);
  });

  it("the anchors follow GitHub's rule", () => {
    const anchors = headingAnchors("# A\n## Operations: doctor, import, mcp\n### `enable3 doctor`\n## A\n```sh\n# not a heading\n```\n");
    expect([...anchors]).toEqual(["a", "operations-doctor-import-mcp", "enable3-doctor", "a-1"]);
  });

  it("every code block is ts, js, json or sh (ts and js optionally runnable), and every json block parses", () => {
    const blocks = docFiles().flatMap(codeBlocks);
    expect(blocks.filter((b) => !/^(ts|js)( runnable)?$|^(json|sh)$/.test(b.info)).map((b) => `${b.file}:${b.line} ${b.info}`)).toEqual([]);
    for (const block of blocks.filter((b) => b.info === "json"))
      expect(() => JSON.parse(block.code), `${block.file}:${block.line}`).not.toThrow();
    expect(blocks.filter((b) => b.info.endsWith("runnable")).length).toBeGreaterThanOrEqual(3);
  });

  it("the README is at most 300 lines, and its first two shell commands are CI's: npm install && npm start, then npm test", () => {
    const readme = readDoc("README.md");
    expect(readme.trimEnd().split("\n").length).toBeLessThanOrEqual(300);
    const commands = codeBlocks("README.md")
      .filter((b) => b.info === "sh")
      .flatMap((b) => b.code.trim().split("\n"));
    expect(commands.slice(0, 2)).toEqual(["npm install && npm start", "npm test"]);
    // Install comes right after them, and every topic page is one click from the README
    expect(readme.indexOf("## Install")).toBeLessThan(readme.indexOf("## ", readme.indexOf("npm test")) + 1);
    const pages = new Set(relativeLinks("README.md").map((l) => l.target));
    for (const page of ["bulk", "outbox", "callbacks", "widget", "operations", "observability", "networks", "cli", "client", "mcp"]) {
      expect(pages).toContain(`docs/${page}.md`);
    }
  });
});

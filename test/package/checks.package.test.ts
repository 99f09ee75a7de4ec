// The built entries' runtime neutrality. Lint, types resolution and size budgets run as the
// check:package and size scripts (scripts.package.test.ts).
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/process.js";

describe("package checks", () => {
  it("the core entry imports nothing Node-only", async () => {
    const { build } = await import("esbuild");
    // platform "neutral" with no Node built-ins resolvable: a node: import would fail the build
    const bundle = (file: string) =>
      build({ entryPoints: [path.join(ROOT, file)], bundle: true, platform: "neutral", write: false, logLevel: "silent" });
    await expect(bundle("dist/index.js")).resolves.toBeTruthy();
    await expect(bundle("dist/callback.js")).resolves.toBeTruthy();
    await expect(bundle("dist/widget.js")).resolves.toBeTruthy();
    await expect(bundle("dist/mock.js")).rejects.toThrow(/node:/); // the check does catch a Node import
  });
});

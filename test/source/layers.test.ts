// The source layout's rules (src/wrappers/README.md): each group imports at run time only from the
// groups listed for it, the CLI only from the public entries, and no file imports itself in a cycle.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(import.meta.dirname, "../../src");

/** Which group a file belongs to. `widget/url-expiry` sits below the client, the rest of widget/ above it. */
function groupOf(file: string): string {
  const rel = path.relative(SRC, file).replace(/\\/g, "/").replace(/\.ts$/, "");
  if (!rel.includes("/")) return "entry";
  if (rel === "wrappers/widget/url-expiry") return "widget/url-expiry";
  const [top, second] = rel.split("/");
  if (top !== "wrappers") return top!;
  return rel === "wrappers/errors" || rel === "wrappers/types" ? "shared" : second!;
}

const ALLOWED: Record<string, string[]> = {
  generated: [],
  shared: ["generated"],
  internal: ["shared"],
  transport: ["internal", "shared"],
  "widget/url-expiry": ["internal", "shared"],
  callback: ["internal", "shared"],
  client: ["transport", "internal", "shared", "widget/url-expiry", "generated"],
  widget: ["client", "internal", "shared", "widget/url-expiry"],
  node: [],
  entry: ["shared", "internal", "transport", "client", "widget", "widget/url-expiry", "callback", "node", "generated"],
  cli: ["entry"],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : [],
  );
}

/** Relative imports that exist at run time: `import type` and `export type` are erased. */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found: string[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^;]*?from\s+"(\.[^"]+)"/gm)) if (!m[2]) found.push(m[3]!);
  for (const m of text.matchAll(/import\("(\.[^"]+)"\)/g)) found.push(m[1]!);
  return found.map((spec) => path.resolve(path.dirname(file), spec.replace(/\.js$/, ".ts")));
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, runtimeImports(f)]));

describe("source layers", () => {
  it("every group is known", () => {
    expect([...new Set(files.map(groupOf))].filter((g) => !(g in ALLOWED))).toEqual([]);
  });

  it("each file imports at run time only from its own group or the groups allowed for it", () => {
    const broken = files.flatMap((file) =>
      graph
        .get(file)!
        .filter((target) => groupOf(target) !== groupOf(file) && !ALLOWED[groupOf(file)]!.includes(groupOf(target)))
        .map((target) => `${path.relative(SRC, file)} -> ${path.relative(SRC, target)}`),
    );
    expect(broken).toEqual([]);
  });

  it("has no import cycle", () => {
    const cycles: string[] = [];
    const state = new Map<string, "visiting" | "done">();
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "visiting") {
        cycles.push([...trail.slice(trail.indexOf(file)), file].map((f) => path.relative(SRC, f)).join(" -> "));
        return;
      }
      state.set(file, "visiting");
      for (const target of graph.get(file) ?? []) visit(target, [...trail, file]);
      state.set(file, "done");
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it("reads run-time imports and skips type-only ones", () => {
    const at = (rel: string) => path.join(SRC, rel);
    expect(graph.get(at("wrappers/client/create-client.ts"))).toContain(at("wrappers/transport/fetch-loop.ts"));
    expect(graph.get(at("wrappers/client/create-client.ts"))).toContain(at("wrappers/client/bulk.ts")); // import("./bulk.js")
    expect(graph.get(at("wrappers/widget/widget-cache.ts"))).not.toContain(at("wrappers/client/create-client.ts")); // type only
  });
});

// The source layout's rules (src/README.md): each folder imports at run time only from the folders
// listed for it, the CLI only from the public entries, and no file imports itself in a cycle.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(import.meta.dirname, "../../src");

/** Which group a file belongs to: its folder under src/, or "entry" for the entry files at the top. */
function groupOf(file: string): string {
  const rel = path.relative(SRC, file).replace(/\\/g, "/");
  return rel.includes("/") ? rel.split("/")[0]! : "entry";
}

/** Lowest first: a group may use the groups below it, never one above. */
const ALLOWED: Record<string, string[]> = {
  generated: [],
  types: ["generated"],
  errors: [],
  internal: ["errors"],
  transport: ["internal", "errors"],
  telemetry: ["transport", "internal", "errors"],
  client: ["telemetry", "transport", "internal", "errors", "types", "generated"],
  widget: ["internal", "errors"],
  callback: ["internal", "errors", "types", "postgres"],
  postgres: ["internal", "errors"],
  outbox: ["client", "telemetry", "postgres", "internal", "errors", "types"],
  mock: ["internal", "errors"],
  ops: ["callback", "internal", "errors"],
  entry: [
    "types",
    "errors",
    "internal",
    "transport",
    "telemetry",
    "client",
    "widget",
    "callback",
    "postgres",
    "outbox",
    "mock",
    "ops",
    "generated",
  ],
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
    expect(graph.get(at("client/create-client.ts"))).toContain(at("transport/retry-loop.ts"));
    expect(graph.get(at("client/create-client.ts"))).toContain(at("client/bulk.ts")); // import("./bulk.js")
    expect(graph.get(at("widget/widget-cache.ts"))).not.toContain(at("client/create-client.ts")); // type only
  });
});

describe("openapi-fetch", () => {
  it("is imported by the adapter alone: nothing else in the tree knows it", () => {
    const users = files.filter((file) => /from "openapi-fetch"/.test(readFileSync(file, "utf8"))).map((f) => path.relative(SRC, f));
    expect(users).toEqual(["client/openapi-adapter.ts"]);
  });
});

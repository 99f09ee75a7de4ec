// The source layout's rules (src/README.md): each folder imports at run time only from the folders
// listed for it, the CLI only from the public entries, and no file imports itself in a cycle.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { groupOf, runtimeImports, SRC, sourceFiles } from "./source-graph.js";

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
    expect(graph.get(at("client/methods.ts"))).toContain(at("client/bulk.ts")); // import("./bulk.js")
    expect(graph.get(at("widget/widget-cache.ts"))).not.toContain(at("client/create-client.ts")); // type only
  });
});

describe("openapi-fetch", () => {
  it("is imported by the adapter alone: nothing else in the tree knows it", () => {
    const users = files.filter((file) => /from "openapi-fetch"/.test(readFileSync(file, "utf8"))).map((f) => path.relative(SRC, f));
    expect(users).toEqual(["client/openapi-adapter.ts"]);
  });
});

/** The helpers that have one home, internal/ (timers.ts, backoff.ts): a second definition is a second rule. */
const ONE_HOME = ["sleep", "backoffDelay", "backoff", "deferred", "waitFor", "withTimeout"];
const DEFINES = new RegExp(
  `\\b(?:function\\s*\\*?\\s+(${ONE_HOME.join("|")})\\s*[<(]|(?:const|let|var)\\s+(${ONE_HOME.join("|")})\\s*[=:])`,
  "g",
);

/** The named helpers `text` defines (a function, or a const/let/var bound to one). */
function definedHelpers(text: string): string[] {
  return [...text.matchAll(DEFINES)].map((m) => (m[1] ?? m[2])!);
}

describe("waits and backoff have one home", () => {
  it("no file outside internal/ defines sleep, backoff, deferred, waitFor or withTimeout (the CLI uses node:timers/promises)", () => {
    const elsewhere = files
      .filter((file) => groupOf(file) !== "internal")
      .flatMap((file) => definedHelpers(readFileSync(file, "utf8")).map((name) => `${path.relative(SRC, file)}: ${name}`));
    expect(elsewhere).toEqual([]);
  });

  it("finds a definition however it is written, and not an import or a call", () => {
    expect(
      definedHelpers("function sleep(ms) {}\nconst deferred = () => {};\nlet waitFor: Fn = f;\nasync function withTimeout<T>(p) {}"),
    ).toEqual(["sleep", "deferred", "waitFor", "withTimeout"]);
    expect(definedHelpers('import { setTimeout as sleep } from "node:timers/promises";\nawait sleep(5);\nbackoffDelay(1, 2);')).toEqual([]);
  });
});

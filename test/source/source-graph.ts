// The source tree as the source tests read it: its .ts files, the group (folder under src/) each is
// in, and the relative imports each makes, at run time or for types too.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export const SRC = path.resolve(import.meta.dirname, "../../src");

/** Which group a file belongs to: its folder under src/, or "entry" for the entry files at the top. */
export function groupOf(file: string): string {
  const rel = path.relative(SRC, file).replace(/\\/g, "/");
  return rel.includes("/") ? rel.split("/")[0]! : "entry";
}

export function sourceFiles(dir: string = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : [],
  );
}

/** Relative imports, as absolute .ts paths: with `types`, `import type` and `export type` ones too (they are erased at run time). */
export function importsOf(file: string, { types = false } = {}): string[] {
  const text = readFileSync(file, "utf8");
  const found: string[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^;]*?from\s+"(\.[^"]+)"/gm)) if (types || !m[2]) found.push(m[3]!);
  for (const m of text.matchAll(/import\("(\.[^"]+)"\)/g)) found.push(m[1]!);
  return found.map((spec) => path.resolve(path.dirname(file), spec.replace(/\.js$/, ".ts")));
}

/** Relative imports that exist at run time: `import type` and `export type` are erased. */
export const runtimeImports = (file: string): string[] => importsOf(file);

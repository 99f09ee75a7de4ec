// The README's configuration table says what the code does: every client option is in it, with the
// default from internal/defaults.ts (the one table the code reads); so do the defaults the topic pages
// under docs/ name, and the `@default` of every outbox, store and receiver option.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CLIENT_OPTION_KEYS } from "../../src/client/options.js";
import * as DEFAULTS from "../../src/internal/defaults.js";
import {
  BULK_DEFAULTS,
  CLIENT_DEFAULTS,
  FILE_STORE_DEFAULTS,
  OUTBOX_DEFAULTS,
  OUTBOX_POSTGRES_DEFAULTS,
  POSTGRES_STORE_DEFAULTS,
  RECEIVER_DEFAULTS,
  RETRY_BUDGET_DEFAULTS,
  WIDGET_CACHE_DEFAULTS,
} from "../../src/internal/defaults.js";

const doc = (file: string) => readFileSync(path.resolve(import.meta.dirname, "../..", file), "utf8");
const readme = doc("README.md");
const table = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("## Methods"));
const rows = new Map([...table.matchAll(/^\| `(\w+)` \| [^|]+ \| ([^|]+) \|/gm)].map((m) => [m[1]!, m[2]!.trim()]));

describe("README configuration table", () => {
  it("lists every client option, the key and fetch included", () => {
    // the options the client accepts (an unknown one is refused), every default among them
    expect([...rows.keys()].sort()).toEqual([...CLIENT_OPTION_KEYS].sort());
    for (const option of Object.keys(CLIENT_DEFAULTS)) expect(CLIENT_OPTION_KEYS).toContain(option);
  });

  it.each(Object.entries(CLIENT_DEFAULTS))("%s: the default the code uses", (option, value) => {
    const shown = rows.get(option)!.replace(/`/g, "");
    expect(shown).toBe(Array.isArray(value) ? `[${value.join(", ")}]` : String(value));
  });

  it("retryBudget, the widget cache (docs/widget.md) and bulk sending (docs/bulk.md): the defaults the code uses", () => {
    const budget = Object.entries(RETRY_BUDGET_DEFAULTS)
      .map(([k, v]) => `${k}: ${v}`)
      .join(", ");
    expect(rows.get("retryBudget")).toBe(`\`{ ${budget} }\``);
    expect(doc("docs/widget.md")).toContain(
      `{ maxEntries: ${WIDGET_CACHE_DEFAULTS.maxEntries}, refreshMarginMs: ${WIDGET_CACHE_DEFAULTS.refreshMarginMs.toLocaleString("en-US").replace(/,/g, "_")} }); // the defaults`,
    );
    expect(doc("docs/bulk.md")).toContain(`requests in flight (default ${BULK_DEFAULTS.concurrency}, at most 1024)`);
  });

  it("the outbox's deadRetentionMs (README and docs/operations.md): the default the code uses", () => {
    expect(readme).toContain(`dead records are kept \`deadRetentionMs\`, default \`${OUTBOX_DEFAULTS.deadRetentionMs}\`: 30 days`);
    expect(doc("docs/operations.md")).toContain(`| \`deadRetentionMs\` | \`${OUTBOX_DEFAULTS.deadRetentionMs}\` (30 days) |`);
    expect(OUTBOX_DEFAULTS.deadRetentionMs).toBe(30 * 86_400_000);
  });
});

/** The `@default` written on `option` in `file`'s options type (the text after it, up to a space). */
function documentedDefault(file: string, option: string): string | undefined {
  const source = doc(file);
  const at = source.search(new RegExp(`\\n\\s+${option}\\?:`));
  if (at < 0) return undefined;
  const comment = source.slice(source.lastIndexOf("/**", at), at);
  return /@default (\S+)/.exec(comment)?.[1];
}

/** Each options default object, the file whose options type documents it, and the option each key is. */
const DOCUMENTED: [name: string, defaults: Record<string, unknown>, file: string, optionOf?: Record<string, string>][] = [
  ["OUTBOX_DEFAULTS", OUTBOX_DEFAULTS, "src/outbox/outbox-types.ts", { closeTimeoutMs: "timeoutMs" }],
  ["FILE_STORE_DEFAULTS", FILE_STORE_DEFAULTS, "src/outbox/file-store.ts"],
  ["OUTBOX_POSTGRES_DEFAULTS", OUTBOX_POSTGRES_DEFAULTS, "src/outbox/postgres-store.ts"],
  ["POSTGRES_STORE_DEFAULTS", POSTGRES_STORE_DEFAULTS, "src/postgres/store-options.ts"],
];

describe("the outbox's, the stores' and the receiver's defaults", () => {
  it.each(DOCUMENTED)("%s: each option's @default is the default the code uses", (_name, defaults, file, optionOf = {}) => {
    for (const [key, value] of Object.entries(defaults)) {
      expect(documentedDefault(file, optionOf[key] ?? key), `${file}: ${key}`).toBe(
        typeof value === "string" ? JSON.stringify(value) : String(value),
      );
    }
  });

  it("RECEIVER_DEFAULTS: docs/callbacks.md's option table shows the defaults the code uses", () => {
    const page = doc("docs/callbacks.md");
    for (const [option, value] of Object.entries(RECEIVER_DEFAULTS))
      expect(page, option).toMatch(new RegExp(`^\\| \`${option}\` \\|.*\\| \`${value}\``, "m"));
  });

  it("every defaults object in internal/defaults.ts is held to a document by a test here", () => {
    const held = new Set(["CLIENT_DEFAULTS", "RETRY_BUDGET_DEFAULTS", "WIDGET_CACHE_DEFAULTS", "BULK_DEFAULTS", "RECEIVER_DEFAULTS"]);
    for (const [name] of DOCUMENTED) held.add(name);
    const objects = Object.keys(DEFAULTS).filter((name) => name.endsWith("_DEFAULTS"));
    expect(objects.filter((name) => !held.has(name))).toEqual([]);
  });
});

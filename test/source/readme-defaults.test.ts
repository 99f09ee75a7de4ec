// The README's configuration table says what the code does: every client option is in it, with the
// default from internal/defaults.ts (the one table the code reads); so do the defaults the topic pages
// under docs/ name.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CLIENT_OPTION_KEYS } from "../../src/client/options.js";
import { BULK_DEFAULTS, CLIENT_DEFAULTS, RETRY_BUDGET_DEFAULTS, WIDGET_CACHE_DEFAULTS } from "../../src/internal/defaults.js";
import { OUTBOX_DEFAULTS } from "../../src/outbox/policy.js";

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

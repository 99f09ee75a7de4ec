// errors/README.md holds: every error class the SDK throws is written in errors/ (a file per family), and
// errors/messages.ts words the core's failures only (a wing words its own beside the code that throws).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(import.meta.dirname, "../../src");
const files = (readdirSync(SRC, { recursive: true }) as string[])
  .filter((file) => file.endsWith(".ts") && !file.startsWith("generated"))
  .map((file) => ({ file: file.split(path.sep).join("/"), text: readFileSync(path.join(SRC, file), "utf8") }));

describe("errors/ is where errors live", () => {
  it("every Enable3 error class is defined in errors/, none in messages.ts", () => {
    const elsewhere = files.flatMap(({ file, text }) =>
      file.startsWith("errors/") && file !== "errors/messages.ts"
        ? []
        : [...text.matchAll(/class (\w+) extends Enable3\w*Error\b/g)].map((m) => `${file}: ${m[1]}`),
    );
    expect(elsewhere).toEqual([]);
  });

  it("errors/messages.ts is imported by the core only (transport, client, telemetry), never by a wing", () => {
    const core = ["errors/", "transport/", "client/", "telemetry/"];
    const importers = files.filter(({ text }) => /from "[./]*(errors\/)?messages\.js"/.test(text) && /errors\/messages\.js"/.test(text));
    expect(importers.map(({ file }) => file).filter((file) => !core.some((folder) => file.startsWith(folder)))).toEqual([]);
    expect(importers.length).toBeGreaterThan(0);
  });

  it("the callback's reasons are one set of names: nothing casts one reason union to another", () => {
    const casts = files.flatMap(({ file, text }) =>
      [...text.matchAll(/\bas (RefusalReason|FailureReason|CallbackErrorReason|CallbackCheckReason)\b/g)].map((m) => `${file}: ${m[0]}`),
    );
    expect(casts).toEqual([]);
  });
});

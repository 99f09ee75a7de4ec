// enable3 import: streamed NDJSON, bulk sending, dead letters that account for every line, replay.
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { TEST_KEY } from "../helpers/client.js";
import { reply, startScriptedServer, type ScriptedServer } from "../helpers/http-server.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "enable3-import-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const readLines = async (file: string) => (await readFile(file, "utf8")).split("\n").filter(Boolean).map((l) => JSON.parse(l));
const byte = (text: string) => createHash("sha1").update(text).digest()[0]!;

describe("enable3 import", () => {
  let server: ScriptedServer;
  const delivered = new Set<string>();
  beforeAll(async () => {
    const attempts = new Map<string, number>();
    server = await startScriptedServer((req, res) => {
      const { id } = JSON.parse(req.body);
      const n = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, n);
      if (byte(id) < 8) return reply(res, 400, { error: "rejected" }); // about 3%: permanent
      if (byte(`${id}#${n}`) < 64) return reply(res, 503); // about 25% of attempts: transient
      delivered.add(id);
      reply(res, 201);
    });
  });
  afterAll(() => server.close());

  it("10,000 lines with injected faults: delivered plus dead letters account for every line", async () => {
    const file = path.join(dir, "events.ndjson");
    const lines = Array.from({ length: 10_000 }, (_, i) =>
      i === 500 ? "{broken json" : i === 700 ? JSON.stringify({ id: `e-${i}`, userId: "u", eventId: "deposit", value: "NaN" }) : JSON.stringify({ id: `e-${i}`, userId: `u${i % 50}`, eventId: "deposit", value: i }),
    );
    await writeFile(file, lines.join("\n") + "\n");
    const result = await runCli(["import", "events", file, "--concurrency", "32", "--json", "--max-retries", "2", "--retry-delay-ms", "1"], { ENABLE3_API_KEY: TEST_KEY, ENABLE3_BASE_URL: server.url });
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout);
    const deadLetters = await readLines(path.join(dir, "events.failed.ndjson"));
    expect(summary.delivered + deadLetters.length).toBe(10_000);
    expect(summary.delivered).toBe(delivered.size);
    expect(summary).toMatchObject({ invalidLines: 1, failed: deadLetters.length - 1, deadLetterFile: path.join(dir, "events.failed.ndjson") });
    expect(new Set(deadLetters.map((d) => d.line)).size).toBe(deadLetters.length);
    expect(deadLetters.find((d) => d.line === 501)).toMatchObject({ raw: "{broken json", error: { message: "not valid JSON" } });
    expect(deadLetters.find((d) => d.line === 701)).toMatchObject({ record: { id: "e-700" }, error: { name: "Enable3ValidationError" } });
    expect(deadLetters.some((d) => d.error.status === 400)).toBe(true);
    expect(deadLetters.some((d) => d.error.status === 503)).toBe(true);
    for (const d of deadLetters.filter((d) => d.record)) expect(d.record.id).toBe(`e-${d.line - 1}`);
    expect(result.stdout + result.stderr).not.toContain(TEST_KEY);
  }, 90_000);

  it("replays a dead-letter file: what failed transiently goes through, the rest comes back", async () => {
    const file = path.join(dir, "events.failed.ndjson");
    const before = (await readLines(file)).length;
    const result = await runCli(["import", "events", file, "--json", "--retry-delay-ms", "1"], { ENABLE3_API_KEY: TEST_KEY, ENABLE3_BASE_URL: server.url });
    const summary = JSON.parse(result.stdout);
    const again = await readLines(path.join(dir, "events.failed.failed.ndjson"));
    expect(summary.delivered).toBeGreaterThan(0);
    expect(summary.delivered + again.length).toBe(before);
    expect(again.every((d) => d.error.status === 400 || d.error.name === "Enable3ValidationError" || d.error.name === "InvalidLine" || d.error.status === 503)).toBe(true);
  }, 60_000);

  it("imports revenue and prints a one-line summary", async () => {
    const file = path.join(dir, "revenue.ndjson");
    await writeFile(file, Array.from({ length: 50 }, (_, i) => JSON.stringify({ revenue: i + 0.5, requestId: `r-${i}` })).join("\n"));
    const result = await runCli(["import", "revenue", file], { ENABLE3_API_KEY: TEST_KEY, ENABLE3_BASE_URL: inject("prismUrl") });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("Done: 50 delivered, 0 failed, 0 invalid lines\n");
  });

  it("exits 2 for a missing file or a bad kind", async () => {
    const env = { ENABLE3_API_KEY: TEST_KEY, ENABLE3_BASE_URL: server.url };
    expect((await runCli(["import", "events", path.join(dir, "nope.ndjson")], env)).code).toBe(2);
    expect((await runCli(["import", "bets", path.join(dir, "events.ndjson")], env)).code).toBe(2);
  });
});

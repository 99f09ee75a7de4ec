// enable3 import: streamed NDJSON, bulk sending, dead letters that account for every line, replay.
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { makeTempDir } from "../helpers/temp-dir.js";
import { TEST_KEY } from "../helpers/client.js";
import { reply, startScriptedServer, type ScriptedServer } from "../helpers/http-server.js";

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir("enable3-import");
});

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

  it("replays a dead-letter file: what failed transiently goes through, the rest comes back with its line", async () => {
    // its own server and file, so the test stands alone: e-ok is accepted now, e-bad is always refused
    const replayServer = await startScriptedServer((req, res) => (JSON.parse(req.body).id === "e-bad" ? reply(res, 400, { error: "rejected" }) : reply(res, 201)));
    const file = path.join(await makeTempDir("enable3-replay"), "events.failed.ndjson");
    const deadLetter = (line: number, entry: object) => JSON.stringify({ line, ...entry, error: { name: "Enable3ServerError", status: 503 } });
    await writeFile(file, [
      deadLetter(3, { record: { id: "e-ok", userId: "u", eventId: "deposit", value: 1 } }),
      deadLetter(8, { record: { id: "e-bad", userId: "u", eventId: "deposit", value: 2 } }),
      deadLetter(9, { record: { id: "e-invalid", userId: "u", eventId: "deposit", value: "NaN" } }),
      deadLetter(12, { raw: "{still broken" }),
    ].join("\n") + "\n");
    const result = await runCli(["import", "events", file, "--json", "--retry-delay-ms", "1"], { ENABLE3_API_KEY: TEST_KEY, ENABLE3_BASE_URL: replayServer.url });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ delivered: 1, failed: 3, invalidLines: 0 });
    expect(replayServer.requests.map((r) => JSON.parse(r.body).id)).toEqual(["e-ok", "e-bad"]);
    const again = await readLines(path.join(path.dirname(file), "events.failed.failed.ndjson"));
    expect(again.map((d) => [d.record?.id ?? d.raw, d.error.status ?? d.error.name])).toEqual(expect.arrayContaining([
      ["e-bad", 400],
      ["e-invalid", "Enable3ValidationError"],
    ]));
    expect(again).toHaveLength(3);
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

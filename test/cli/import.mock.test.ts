// enable3 import: streamed NDJSON, dead letters that account for every line and replay idempotently,
// and stops (Ctrl-C, SIGTERM, SIGHUP) that still leave every line delivered, dead-lettered or resumable.
import { createHash } from "node:crypto";
import { link, readFile, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { TEST_KEY } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { makeTempDir } from "../helpers/temp-dir.js";

const readLines = async (file: string) =>
  (await readFile(file, "utf8"))
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
const byte = (text: string) => createHash("sha1").update(text).digest()[0]!;
const env = (url: string) => ({ ENABLE3_API_KEY: TEST_KEY, ENABLE3_BASE_URL: url });
const event = (i: number) => JSON.stringify({ userId: `u${i % 50}`, eventId: "deposit", value: i });

/** A server that de-duplicates by id, refuses ~3% of ids for good and fails ~25% of attempts for a while. */
async function faultyServer() {
  const attempts = new Map<string, number>();
  const stored = new Map<string, number>();
  const server = await startScriptedServer((req, res) => {
    const { id } = JSON.parse(req.body);
    const n = (attempts.get(id) ?? 0) + 1;
    attempts.set(id, n);
    if (byte(id) < 8) return reply(res, 400, { message: `event ${id} is rejected` });
    if (n < 4 && byte(`${id}#${n}`) < 64) return reply(res, 503);
    stored.set(id, (stored.get(id) ?? 0) + 1);
    reply(res, 201);
  });
  return { server, stored, attempts };
}

describe("enable3 import", () => {
  it("2,000 lines with faults, a BOM, CRLF, a blank and a broken line: every line is delivered or a dead letter with its line and id", async () => {
    const { server, stored } = await faultyServer();
    const dir = await makeTempDir("enable3-import");
    const file = path.join(dir, "events.ndjson");
    const lines = Array.from({ length: 2_000 }, (_, i) =>
      i === 500
        ? "{broken json"
        : i === 600
          ? ""
          : i === 700
            ? JSON.stringify({ userId: "u", eventId: "deposit", value: "NaN" })
            : event(i),
    );
    await writeFile(file, `\uFEFF${lines.join("\r\n")}\r\n`);
    const result = await runCli(
      ["import", "events", file, "--concurrency", "32", "--json", "--max-retries", "1", "--retry-delay-ms", "1"],
      env(server.url),
    );
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout);
    const deadLetters = await readLines(path.join(dir, "events.failed.ndjson"));
    expect(summary).toMatchObject({
      blank: 1,
      invalid: 1,
      pending: 0,
      stopped: false,
      resumeFromLine: null,
      deadLetters: deadLetters.length,
    });
    expect(summary.delivered + summary.failed + summary.invalid + summary.blank).toBe(2_000);
    expect(summary.delivered + deadLetters.length + summary.blank).toBe(2_000);
    expect(summary.delivered).toBe(stored.size);
    expect(new Set(deadLetters.map((d) => d.line)).size).toBe(deadLetters.length);
    expect(deadLetters.find((d) => d.line === 1)?.raw).toBeUndefined(); // the BOM line is a record like any other
    expect(deadLetters.find((d) => d.line === 501)).toMatchObject({ raw: "{broken json", error: { message: "line 501: not valid JSON" } });
    expect(deadLetters.find((d) => d.line === 701)).toMatchObject({
      error: { name: "Enable3ValidationError", field: "value", message: "line 701: value must be a finite number, got string" },
    });
    for (const d of deadLetters.filter((d) => d.error.status)) {
      expect(d.id).toMatch(/^[0-9a-f-]{36}$/); // the id it was sent with, also inside the record
      expect(d.record.id).toBe(d.id);
      expect(d.record.value).toBe(d.line - 1);
    }
    expect(deadLetters.some((d) => d.error.status === 400 && /is rejected/.test(d.error.message))).toBe(true);
    expect(result.stdout + result.stderr).not.toContain(TEST_KEY);
  }, 60_000);

  it("replaying after a late answer resends each event with the id of its first try: the server stores none twice", async () => {
    const firstTry: string[] = [];
    const seen: string[] = [];
    let slow = true;
    const server = await startScriptedServer((req, res) => {
      (slow ? firstTry : seen).push(JSON.parse(req.body).id);
      if (slow)
        server.later(3_000, () => reply(res, 201)); // processed, but answered after the client gave up
      else reply(res, 201);
    });
    const dir = await makeTempDir("enable3-late");
    const file = path.join(dir, "events.ndjson");
    await writeFile(file, `${Array.from({ length: 20 }, (_, i) => event(i)).join("\n")}\n`);
    const first = await runCli(["import", "events", file, "--json", "--timeout-ms", "1000", "--max-retries", "0"], env(server.url));
    expect(JSON.parse(first.stdout)).toMatchObject({ delivered: 0, failed: 20 });
    slow = false;
    const replay = await runCli(["import", "events", path.join(dir, "events.failed.ndjson"), "--json"], env(server.url));
    expect(JSON.parse(replay.stdout)).toMatchObject({ delivered: 20, failed: 0, deadLetters: 0 });
    // each id the first run's requests reached the server with is sent again by the replay, under that id
    // (on a loaded machine a request can time out before it reaches the server: it still has its id)
    expect(firstTry.length).toBeGreaterThan(0);
    expect(new Set(seen).size).toBe(20);
    expect(seen).toHaveLength(20);
    for (const id of firstTry) expect(seen).toContain(id);
  }, 30_000);

  it("line numbers and records survive replays of replays, and a still-broken line stays as it was", async () => {
    const server = await startScriptedServer((req, res) =>
      JSON.parse(req.body).value % 3 === 0 ? reply(res, 422, { message: "no" }) : reply(res, 201),
    );
    const dir = await makeTempDir("enable3-replays");
    const file = path.join(dir, "e.ndjson");
    await writeFile(file, ["{oops", event(1), event(3), "", event(4), event(6)].join("\n"));
    let current = file;
    for (const round of [1, 2, 3]) {
      const result = await runCli(["import", "events", current, "--json"], env(server.url));
      expect(result.code).toBe(1);
      current = current.replace(/\.ndjson$/, ".failed.ndjson");
      const deadLetters = (await readLines(current)).sort((a, b) => a.line - b.line); // written as they settle
      expect(
        deadLetters.map((d) => d.line),
        `round ${round}`,
      ).toEqual([1, 3, 6]);
      expect(deadLetters[0]).toEqual({ line: 1, raw: "{oops", error: { name: "InvalidLine", message: "line 1: not valid JSON" } });
      expect(deadLetters[1].record).toMatchObject({ value: 3, id: deadLetters[1].id });
      expect(deadLetters[1].record.record).toBeUndefined();
    }
    const ids = server.requests.filter((r) => JSON.parse(r.body).value === 3).map((r) => JSON.parse(r.body).id);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(1);
  }, 30_000);

  it("imports revenue and prints a one-line summary", async () => {
    const dir = await makeTempDir("enable3-revenue");
    const file = path.join(dir, "revenue.ndjson");
    await writeFile(file, Array.from({ length: 50 }, (_, i) => JSON.stringify({ revenue: i + 0.5, requestId: `r-${i}` })).join("\n"));
    const result = await runCli(["import", "revenue", file], env(inject("prismUrl")));
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("Done: 50 delivered, 0 failed, 0 invalid lines\n");
  });
});

describe("enable3 import refuses before sending anything", () => {
  it.each([
    ["a missing file", (dir: string) => ["import", "events", path.join(dir, "nope.ndjson")], /cannot read/],
    ["a bad kind", (dir: string) => ["import", "bets", path.join(dir, "in.ndjson")], /events, revenue or segments/],
    [
      "the input as dead-letter file",
      (dir: string) => ["import", "events", path.join(dir, "in.ndjson"), "--dead-letter", path.join(dir, "in.ndjson")],
      /is the input file/,
    ],
    [
      "an unwritable dead-letter path",
      (dir: string) => ["import", "events", path.join(dir, "in.ndjson"), "--dead-letter", "/nonexistent/x.ndjson"],
      /cannot write the dead-letter file \/nonexistent\/x\.ndjson \(ENOENT\)/,
    ],
    [
      "a device as dead-letter path",
      (dir: string) => ["import", "events", path.join(dir, "in.ndjson"), "--dead-letter", "/dev/full"],
      /cannot write the dead-letter file \/dev\/full/,
    ],
    [
      "a bad --concurrency",
      (dir: string) => ["import", "events", path.join(dir, "in.ndjson"), "--concurrency", "0"],
      /--concurrency must be a whole number from 1 to 1,024, got 0/,
    ],
  ])("%s", async (_name, args, message) => {
    const server = await startScriptedServer((_req, res) => reply(res, 201));
    const dir = await makeTempDir("enable3-refuse");
    await writeFile(path.join(dir, "in.ndjson"), `${event(1)}\n`);
    const result = await runCli(args(dir), env(server.url));
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(2);
    expect(server.requests).toEqual([]);
    expect(await readFile(path.join(dir, "in.ndjson"), "utf8")).toBe(`${event(1)}\n`);
  });
});

describe("dead letters of an earlier run survive every later run", () => {
  const refusing = () =>
    startScriptedServer((req, res) => (JSON.parse(req.body).value % 2 === 0 ? reply(res, 400, { message: "no" }) : reply(res, 201)));
  const accepting = () => startScriptedServer((_req, res) => reply(res, 201));

  it("starting over with --fresh --from-line (and a clean run) keeps them; a run with failures appends after them", async () => {
    const dir = await makeTempDir("enable3-keep");
    const input = path.join(dir, "e.ndjson");
    await writeFile(input, `${Array.from({ length: 10 }, (_, i) => event(i)).join("\n")}\n`);
    const deadLetterFile = path.join(dir, "e.failed.ndjson");
    const first = await runCli(["import", "events", input, "--json"], env((await refusing()).url));
    expect(first.code).toBe(1);
    const earlier = await readLines(deadLetterFile);
    expect(earlier.map((d) => d.line).sort((a, b) => a - b)).toEqual([1, 3, 5, 7, 9]);

    const resumed = await runCli(["import", "events", input, "--fresh", "--from-line", "6", "--json"], env((await accepting()).url));
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ delivered: 5, deadLetters: 0, deadLetterFile, deadLettersHeldEarlier: true });
    expect(await readLines(deadLetterFile)).toEqual(earlier);

    const again = await runCli(["import", "events", input, "--fresh", "--from-line", "9"], env((await refusing()).url));
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/Dead letters \(1 from this run, after those of earlier runs\)/);
    const after = await readLines(deadLetterFile);
    expect(after.slice(0, earlier.length)).toEqual(earlier);
    expect(after.slice(earlier.length).map((d) => d.line)).toEqual([9]);
  }, 30_000);

  it("a symbolic link at the dead-letter path is refused and its target left as it was", async () => {
    const server = await accepting();
    const dir = await makeTempDir("enable3-symlink");
    const input = path.join(dir, "e.ndjson");
    await writeFile(input, `${event(1)}\n`);
    const target = path.join(dir, "precious.txt");
    await writeFile(target, "keep me\n");
    await symlink(target, path.join(dir, "e.failed.ndjson"));
    const result = await runCli(["import", "events", input], env(server.url));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot write the dead-letter file .*e\.failed\.ndjson \(it is a symbolic link\)/);
    expect(await readFile(target, "utf8")).toBe("keep me\n");
    expect(server.requests).toEqual([]);
  });

  it("a hard link to the input as dead-letter file is refused (compared by device and inode) and the input left whole", async () => {
    const server = await accepting();
    const dir = await makeTempDir("enable3-hardlink");
    const input = path.join(dir, "e.ndjson");
    await writeFile(input, `${event(1)}\n${event(2)}\n`);
    await link(input, path.join(dir, "other-name.ndjson"));
    const result = await runCli(["import", "events", input, "--dead-letter", path.join(dir, "other-name.ndjson")], env(server.url));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/is the input file/);
    expect(await readFile(input, "utf8")).toBe(`${event(1)}\n${event(2)}\n`);
    expect(server.requests).toEqual([]);
  });
});

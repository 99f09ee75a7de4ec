// enable3 import segments: NDJSON lines of assigns and removes go through the import's journal, each
// user's in the order of the file (the client's retries, one user at a time), a refused line to the
// dead letters as a line the same command replays.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCliFromSource } from "../helpers/cli-source.js";
import { TEST_KEY } from "../helpers/client.js";
import { makeTempDir } from "../helpers/temp-dir.js";
import { expectedMembers, randomChanges, segmentServer, sorted } from "../outbox/ordered-kit.js";

const env = (url: string) => ({ ENABLE3_API_KEY: TEST_KEY, ENABLE3_BASE_URL: url });

describe("enable3 import segments", () => {
  it("60 users' assigns and removes, one user's requests refused at first, a bad op and an empty segment list: each user ends as the file says, the two bad lines are dead letters", async () => {
    let refusals = 0;
    // user-3's first 6 requests are answered 503 (the client retries them, one at a time)
    const seg = await segmentServer((u) => u === "user-3" && refusals++ < 6);
    const dir = await makeTempDir("enable3-import-segments");
    const file = path.join(dir, "tiers.ndjson");
    const changes = randomChanges(60, 5);
    const lines = changes.map((c) => JSON.stringify(c));
    lines.push(JSON.stringify({ op: "toggle", userId: "user-1", segmentIds: ["vip"] }));
    lines.push(JSON.stringify({ op: "assign", userId: "user-2", segmentIds: [] }));
    await writeFile(file, `${lines.join("\n")}\n`);
    const result = await runCliFromSource(
      ["import", "segments", file, "--json", "--concurrency", "16", "--max-retries", "8", "--retry-delay-ms", "1"],
      env(seg.server.url),
    );
    expect(result.code, result.stderr).toBe(1); // two dead letters
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ kind: "segments", delivered: changes.length, failed: 2, deadLetters: 2, stopped: false });
    expect(seg.refused()).toBe(6);
    expect(seg.overlaps).toEqual([]);
    expect(sorted(seg.members)).toEqual(sorted(expectedMembers(changes)));
    const dead = (await readFile(path.join(dir, "tiers.failed.ndjson"), "utf8"))
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(dead.map((d) => [d.line, d.error.message])).toEqual([
      [changes.length + 1, expect.stringMatching(/op.*"assign" or "remove"/)],
      [changes.length + 2, expect.stringMatching(/segmentIds/)],
    ]);
  }, 120_000);

  it("a change the API refuses is a dead letter holding the line as written; replayed, it is sent as that change", async () => {
    let refuse = true;
    const seg = await segmentServer((u) => u === "u1" && refuse);
    const dir = await makeTempDir("enable3-import-segments");
    const file = path.join(dir, "tiers.ndjson");
    await writeFile(
      file,
      `${[
        { op: "assign", userId: "u1", segmentIds: ["vip"] },
        { op: "remove", userId: "u2", segmentIds: ["new"] },
      ]
        .map((l) => JSON.stringify(l))
        .join("\n")}\n`,
    );
    const first = await runCliFromSource(["import", "segments", file, "--json", "--max-retries", "0"], env(seg.server.url));
    expect(JSON.parse(first.stdout)).toMatchObject({ delivered: 1, failed: 1 });
    const deadFile = path.join(dir, "tiers.failed.ndjson");
    const [letter] = (await readFile(deadFile, "utf8"))
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(letter).toMatchObject({ line: 1, record: { op: "assign", userId: "u1", segmentIds: ["vip"] }, error: { status: 503 } });
    refuse = false;
    const replay = await runCliFromSource(["import", "segments", deadFile, "--json"], env(seg.server.url));
    expect(JSON.parse(replay.stdout)).toMatchObject({ delivered: 1, failed: 0 });
    expect(sorted(seg.members)).toEqual(
      new Map([
        ["u1", ["vip"]],
        ["u2", []],
      ]),
    );
  }, 120_000);
});

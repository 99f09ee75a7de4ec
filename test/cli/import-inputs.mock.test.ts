// enable3 import on inputs that move under it: dead-letter files merged into one, lines appended to a
// finished file, a file changed where it was already read, and input from a pipe, stdin or a FIFO.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { TEST_KEY } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { makeTempDir } from "../helpers/temp-dir.js";

const env = (url: string) => ({ ENABLE3_API_KEY: TEST_KEY, ENABLE3_BASE_URL: url });
const event = (i: number) => JSON.stringify({ userId: `u${i}`, eventId: "deposit", value: i });
const readLines = async (file: string) =>
  (await readFile(file, "utf8"))
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));

describe("dead-letter files merged into one", () => {
  it("every entry is replayed and kept, also those that share a line number (6 in, 6 failed, 6 dead letters)", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 400, { message: "no" }));
    const dir = await makeTempDir("enable3-merged");
    for (const name of ["a", "b"]) {
      const input = path.join(dir, `${name}.ndjson`);
      await writeFile(input, `{oops ${name}\n${event(name === "a" ? 2 : 20)}\n${event(name === "a" ? 3 : 30)}\n`);
      expect((await runCli(["import", "events", input], env(server.url))).code).toBe(1);
    }
    const merged = path.join(dir, "merged.ndjson");
    await writeFile(
      merged,
      (await readFile(path.join(dir, "a.failed.ndjson"), "utf8")) + (await readFile(path.join(dir, "b.failed.ndjson"), "utf8")),
    );
    const replay = await runCli(["import", "events", merged, "--json"], env(server.url));
    expect(replay.code).toBe(1);
    expect(JSON.parse(replay.stdout)).toMatchObject({ failed: 4, invalid: 2, deadLetters: 6 });
    const dead = await readLines(path.join(dir, "merged.failed.ndjson"));
    expect(dead.map((d) => [d.line, d.raw ?? d.record.value]).sort()).toEqual([
      [1, "{oops a"],
      [1, "{oops b"],
      [2, 2],
      [2, 20],
      [3, 3],
      [3, 30],
    ]);
  }, 60_000);
});

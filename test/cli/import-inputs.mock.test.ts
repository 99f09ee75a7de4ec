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

describe("a file that grows or changes after an import read it", () => {
  const setup = async (name: string, lines: string[]) => {
    const server = await startScriptedServer((_req, res) => reply(res, 201));
    const dir = await makeTempDir(`enable3-${name}`);
    const file = path.join(dir, "e.ndjson");
    await writeFile(file, `${lines.join("\n")}\n`);
    const run = (...flags: string[]) => runCli(["import", "events", file, "--json", ...flags], env(server.url));
    expect((await run()).code).toBe(0);
    return { server, dir, file, run };
  };

  it("lines appended to a finished import are sent by the same command, each once; with nothing new it says so", async () => {
    const { server, file, run } = await setup(
      "append",
      Array.from({ length: 1_000 }, (_, i) => event(i)),
    );
    await writeFile(file, `${Array.from({ length: 1_010 }, (_, i) => event(i)).join("\n")}\n`); // a new inode, as editors write
    const again = await run();
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ delivered: 10, stopped: false, resumed: true });
    const values = server.requests.map((r) => JSON.parse(r.body).value);
    expect(values).toHaveLength(1_010);
    expect(new Set(values).size).toBe(1_010);
    expect(new Set(server.requests.map((r) => JSON.parse(r.body).id)).size).toBe(1_010);
    const third = await run();
    expect(third.code).toBe(0);
    expect(JSON.parse(third.stdout)).toMatchObject({ alreadyImported: true });
    expect(server.requests).toHaveLength(1_010);
    // a last line without a line end, then more appended after it: no phantom blank line
    await writeFile(file, `${event(2_000)}`, { flag: "a" });
    expect(JSON.parse((await run()).stdout)).toMatchObject({ delivered: 1, blank: 0 });
    await writeFile(file, `\n${event(2_001)}\n`, { flag: "a" });
    expect(JSON.parse((await run()).stdout)).toMatchObject({ delivered: 1, blank: 0 });
    expect(server.requests.map((r) => JSON.parse(r.body).value).slice(-2)).toEqual([2_000, 2_001]);
  }, 60_000);

  // past the first 64 KiB (whose checksum is kept apart): what only a running checksum of the file sees
  it.each([
    ["a line before the saved point edited (same length)", (lines: string[]) => lines.map((l, i) => (i === 1_500 ? event(1_501) : l))],
    [
      "a line duplicated, the saved line still the same",
      (lines: string[]) => [...lines.slice(0, 1_500), lines[1_499]!, ...lines.slice(1_500, -1)], // the last two lines are alike
    ],
  ])(
    "%s: refused before anything is sent, finished or not",
    async (_name, change) => {
      const lines = [...Array.from({ length: 1_999 }, (_, i) => event(i)), event(1_998)];
      const { server, dir, file, run } = await setup("changed", lines);
      await writeFile(file, `${[...change(lines), event(99)].join("\n")}\n`);
      for (const unfinished of [false, true]) {
        if (unfinished) {
          const state = path.join(dir, "e.import", "import.json");
          await writeFile(state, (await readFile(state, "utf8")).replace(/,"completedAt":"[^"]+"/, ""));
        }
        const result = await run();
        expect(result.code, result.stdout).toBe(2);
        expect(result.stderr).toMatch(
          /e\.ndjson is not the file the import saved in .*e\.import began with \(what it holds up to line 2,000 is not what was read\).*--fresh/,
        );
        expect(server.requests).toHaveLength(2_000);
      }
    },
    60_000,
  );
});

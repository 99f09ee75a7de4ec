// enable3 import on awkward input: lone CR line ends, invalid UTF-8 (a dead letter with the bytes, never
// U+FFFD sent), a line over 1 MiB (refused with its number), duplicate ids (reported), a file changed
// under a saved import (refused), and a full disk under the dead letters (a real tmpfs).
import { execFileSync } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { TEST_KEY } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { registerTeardown } from "../helpers/teardown.js";
import { makeTempDir } from "../helpers/temp-dir.js";

const env = (url: string) => ({ ENABLE3_API_KEY: TEST_KEY, ENABLE3_BASE_URL: url });
const event = (i: number, extra = {}) => JSON.stringify({ userId: `u${i}`, eventId: "deposit", value: i, ...extra });
const readLines = async (file: string) =>
  (await readFile(file, "utf8"))
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));

describe("enable3 import reads lines as users expect", () => {
  it("lone CR, CRLF and LF line ends; invalid UTF-8 and a line over 1 MiB become dead letters with their numbers; duplicate ids are reported", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 201));
    const dir = await makeTempDir("enable3-lines");
    const file = path.join(dir, "e.ndjson");
    const huge = event(99, { eventTags: ["x".repeat(1024 * 1024)] });
    const bad = Buffer.concat([
      Buffer.from('{"userId":"u\xff'.slice(0, 11)),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('","eventId":"deposit","value":1}'),
    ]);
    await writeFile(
      file,
      Buffer.concat([
        Buffer.from(`${event(1)}\r${event(2)}\r\n${event(3, { id: "same" })}\n`),
        bad,
        Buffer.from(`\n${huge}\n${event(6, { id: "same" })}\r${event(7)}`),
      ]),
    );
    const result = await runCli(["import", "events", file, "--json"], env(server.url));
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ delivered: 4, invalid: 2, duplicates: 1, failed: 1, stopped: false });
    const values = server.requests.map((r) => JSON.parse(r.body).value).sort();
    expect(values).toEqual([1, 2, 3, 7]);
    expect(server.requests.map((r) => r.body).join("")).not.toContain("\uFFFD");
    const dead = (await readLines(path.join(dir, "e.failed.ndjson"))).sort((a, b) => a.line - b.line);
    expect(dead.map((d) => [d.line, d.error.code])).toEqual([
      [4, "invalid_utf8"],
      [5, "line_too_long"],
      [6, "duplicate_id"],
    ]);
    expect(Buffer.from(dead[0].rawBase64, "base64")).toEqual(bad);
    expect(dead[1].error.message).toMatch(/^line 5: longer than 1 MiB \([\d,]+ bytes\): not sent$/);
    expect(dead[1].raw).toBeUndefined();
    expect(dead[2].error.message).toBe('line 6: id "same" is already used by line 3: not sent');
    // replaying the dead letters: the broken ones stay broken, the duplicate goes with its id
    const replay = await runCli(["import", "events", path.join(dir, "e.failed.ndjson"), "--json"], env(server.url));
    expect(JSON.parse(replay.stdout)).toMatchObject({ delivered: 1, invalid: 2 });
  });

  it("lines without an id get the same id on every run of the same import, new ones with --fresh", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 201));
    const dir = await makeTempDir("enable3-ids");
    const file = path.join(dir, "e.ndjson");
    await writeFile(file, `${event(1)}\n${event(2)}\n`);
    await runCli(["import", "events", file], env(server.url));
    // the state says done; but were it lost (a crash before it was written), the ids would not change:
    await rm(path.join(dir, "e.import", "progress.json"));
    const first = server.requests.map((r) => JSON.parse(r.body).id);
    await writeFile(
      path.join(dir, "e.import", "import.json"),
      (await readFile(path.join(dir, "e.import", "import.json"), "utf8")).replace(/,"completedAt":"[^"]+"/, ""),
    );
    await runCli(["import", "events", file], env(server.url));
    expect(server.requests.slice(2).map((r) => JSON.parse(r.body).id)).toEqual(first);
    await runCli(["import", "events", file, "--fresh"], env(server.url));
    const fresh = server.requests.slice(4).map((r) => JSON.parse(r.body).id);
    expect(fresh).toHaveLength(2);
    expect(fresh.filter((id) => first.includes(id))).toEqual([]);
  });

  it("an id that is there but not a string is a dead letter to fix, never replaced by a made-up id and sent", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 201));
    const dir = await makeTempDir("enable3-bad-id");
    const file = path.join(dir, "e.ndjson");
    await writeFile(file, `${event(1, { id: 42 })}\n${event(2, { id: null })}\n${event(3)}\n`);
    const result = await runCli(["import", "events", file], env(server.url));
    expect(result.code).toBe(1);
    expect(server.requests.map((r) => JSON.parse(r.body).userId)).toEqual(["u3"]);
    const deadLetters = await readLines(path.join(dir, "e.failed.ndjson"));
    expect(deadLetters.map((d) => [d.line, d.record.id, d.error.name, d.error.field])).toEqual([
      [1, 42, "Enable3ValidationError", "id"],
      [2, null, "Enable3ValidationError", "id"],
    ]);
  });

  it("a run started at --from-line, resumed before its first progress was saved, never sends the lines before it", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 201));
    const dir = await makeTempDir("enable3-from");
    const file = path.join(dir, "e.ndjson");
    await writeFile(file, `${[1, 2, 3, 4].map((i) => event(i)).join("\n")}\n`);
    expect((await runCli(["import", "events", file, "--from-line", "3"], env(server.url))).code).toBe(0);
    const state = path.join(dir, "e.import");
    const unfinish = async () =>
      writeFile(
        path.join(state, "import.json"),
        (await readFile(path.join(state, "import.json"), "utf8")).replace(/,"completedAt":"[^"]+"/, ""),
      );
    for (const progress of [undefined, { at: 2, crc: 0 }]) {
      await unfinish();
      if (progress) await writeFile(path.join(state, "progress.json"), JSON.stringify(progress));
      else await rm(path.join(state, "progress.json"));
      const again = await runCli(["import", "events", file], env(server.url));
      expect(again.code, again.stderr).toBe(0);
    }
    expect(server.requests.map((r) => JSON.parse(r.body).value)).toEqual([3, 4, 3, 4, 3, 4]);
    expect(new Set(server.requests.map((r) => JSON.parse(r.body).id)).size).toBe(2);
  });

  it("a saved import whose file was replaced is refused before anything is sent", async () => {
    let refuse = true;
    const server = await startScriptedServer((_req, res) => void (refuse ? res.destroy() : reply(res, 201)));
    const dir = await makeTempDir("enable3-changed");
    const file = path.join(dir, "e.ndjson");
    await writeFile(file, `${event(1)}\n`);
    // a run that cannot finish (the server resets every connection): its state is kept
    const first = await runCli(["import", "events", file, "--json", "--max-retries", "0", "--timeout-ms", "200"], env(server.url));
    expect(JSON.parse(first.stdout)).toMatchObject({ failed: 1 });
    await writeFile(path.join(dir, "other.ndjson"), `${event(5)}\n`);
    await rm(file);
    await writeFile(file, `${event(5)}\n${event(6)}\n`);
    refuse = false;
    await writeFile(
      path.join(dir, "e.import", "import.json"),
      (await readFile(path.join(dir, "e.import", "import.json"), "utf8")).replace(/,"completedAt":"[^"]+"/, ""),
    );
    const count = server.requests.length;
    const changed = await runCli(["import", "events", file], env(server.url));
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(/is not the file the import saved in .*e\.import began with .*--fresh/);
    expect(server.requests.length).toBe(count);
  });
});

describe("a full disk under the import: dead letters and state on a real 128 KiB tmpfs", () => {
  it("each dead letter is written whole or reported as not written; the exit code says so; the next run writes the rest", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 400, { message: "refused ".repeat(20) }));
    const dir = await makeTempDir("enable3-enospc");
    const mount = path.join(dir, "small");
    await mkdir(mount);
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=128k", "tmpfs", mount]);
    registerTeardown(() => execFileSync("umount", ["-l", mount]));
    const file = path.join(dir, "e.ndjson");
    await writeFile(file, `${Array.from({ length: 400 }, (_, i) => event(i)).join("\n")}\n`);
    const deadLetter = path.join(mount, "e.failed.ndjson");
    const args = ["import", "events", file, "--json", "--dead-letter", deadLetter];
    const result = await runCli(args, env(server.url));
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout);
    // the dead letters fill the disk first, or (under load, in another order) the journal beside them
    expect(`${summary.deadLetterWriteError} ${summary.stateError}`, result.stdout).toMatch(/ENOSPC/);
    expect(summary.stopped).toBe(true);
    const text = await readFile(deadLetter, "utf8").catch(() => "\n");
    expect(text.endsWith("\n")).toBe(true);
    const written = text.split("\n").filter(Boolean);
    for (const line of written) expect(() => JSON.parse(line)).not.toThrow(); // no half record
    expect(written.length).toBe(summary.deadLetters);
    expect(written.length).toBeLessThan(400);
    // room again: the same command writes the rest, each line once
    execFileSync("mount", ["-o", "remount,size=4m", mount]);
    const again = await runCli(args, env(server.url));
    expect(again.code).toBe(1);
    const all = await readLines(deadLetter);
    expect(new Set(all.map((d) => d.line)).size).toBe(400);
    expect(all).toHaveLength(400);
  });
});

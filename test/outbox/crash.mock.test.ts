// kill -9 at random moments, against a recording server, on the built package: a fileStore outbox in
// two chains of ten processes each killed mid-run, and the CLI import killed sixteen times. Every
// event whose enqueue resolved (every line of the file) is delivered, and none under a second id.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, startCli } from "../helpers/cli.js";
import { TEST_KEY } from "../helpers/client.js";
import { makeTempDir } from "../helpers/temp-dir.js";
import { pause, printed, recordingServer, startFixture } from "./crash-kit.js";

describe("kill -9 at random moments", () => {
  it("fileStore: 2 chains of 10 processes, each killed at a random moment; every resolved enqueue is delivered, under its one id", async () => {
    const { server, idsOf } = await recordingServer({ failRate: 0.05 });
    const resolved = new Map<string, string>();
    const chain = async (name: string) => {
      const dir = path.join(await makeTempDir(`enable3-crash-${name}`), "outbox");
      for (let round = 0; round < 10; round++) {
        const producer = startFixture("file-producer.mjs", [dir, server.url, `${name}${round}`, "100000"]);
        await producer.waitFor(/^E /);
        await pause(Math.random() * 250);
        await producer.kill9();
        for (const [key, id] of printed(producer.lines, "E")) resolved.set(key, id);
      }
      const drain = startFixture("file-producer.mjs", [dir, server.url, `${name}-drain`, "0", "drain"]);
      await drain.waitFor(/^DRAINED$/, 60_000);
      await drain.exited;
    };
    await Promise.all([chain("a"), chain("b")]);
    expect(resolved.size).toBeGreaterThan(200);
    const lost = [...resolved].filter(([key]) => !idsOf.has(key));
    expect(lost).toEqual([]);
    const underTwoIds = [...idsOf].filter(([, ids]) => ids.size > 1);
    expect(underTwoIds).toEqual([]);
    for (const [key, id] of resolved) expect(idsOf.get(key)?.has(id), key).toBe(true);
  }, 90_000);

  it("the CLI import: killed 16 times at random moments, then run to the end; every line delivered, none under a second id", async () => {
    const { server, idsOf } = await recordingServer();
    const dir = await makeTempDir("enable3-crash-cli");
    const file = path.join(dir, "events.ndjson");
    const LINES = 1_500;
    await writeFile(
      file,
      `${Array.from({ length: LINES }, (_, i) => JSON.stringify({ userId: "line", eventId: "deposit", value: i + 1 })).join("\n")}\n`,
    );
    const env = { ENABLE3_API_KEY: TEST_KEY, ENABLE3_BASE_URL: server.url };
    const args = ["import", "events", file, "--json", "--concurrency", "4"];
    let kills = 0;
    for (let round = 0; round < 40 && kills < 16; round++) {
      const run = startCli(args, env);
      await pause(80 + Math.random() * 250);
      if (run.child.exitCode !== null) break; // it finished first
      run.child.kill("SIGKILL");
      await run.result;
      kills++;
    }
    expect(kills).toBe(16);
    const last = await runCli(args, env);
    expect(last.code).toBe(0);
    expect(idsOf.size).toBe(LINES);
    expect([...idsOf].filter(([, ids]) => ids.size > 1)).toEqual([]);
    expect(server.requests.length).toBeGreaterThanOrEqual(LINES);
  }, 90_000);
});

// kill -9 at random moments, against a recording server: the CLI import (the built bin) killed sixteen
// times, then run to the end. Every line of the file is delivered, and none under a second id.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, startCli } from "../helpers/cli.js";
import { TEST_KEY } from "../helpers/client.js";
import { makeTempDir } from "../helpers/temp-dir.js";
import { pause, recordingServer } from "./crash-kit.js";

describe("kill -9 at random moments", () => {
  it("the CLI import: killed 16 times at random moments, then run to the end; every line delivered, none under a second id", async () => {
    const { server, idsOf } = await recordingServer();
    const dir = await makeTempDir("enable3-crash-cli");
    const file = path.join(dir, "events.ndjson");
    const LINES = 3_000;
    await writeFile(
      file,
      `${Array.from({ length: LINES }, (_, i) => JSON.stringify({ userId: "line", eventId: "deposit", value: i + 1 })).join("\n")}\n`,
    );
    const env = { ENABLE3_API_KEY: TEST_KEY, ENABLE3_BASE_URL: server.url };
    const args = ["import", "events", file, "--json", "--concurrency", "4"];
    let kills = 0;
    for (let round = 0; round < 40 && kills < 16; round++) {
      const run = startCli(args, env);
      // a random moment of its delivery, not of Node's start (a loaded machine's start outlasted any pause)
      const before = server.requests.length;
      await expect.poll(() => server.requests.length > before || run.child.exitCode !== null).toBe(true);
      await pause(Math.random() * 250);
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
  }, 180_000);
});

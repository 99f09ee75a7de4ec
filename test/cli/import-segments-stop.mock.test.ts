// enable3 import segments killed (kill -9) at random moments mid-run, and run again with the same
// command, on the built CLI: it resumes from its journal, and each user's membership at the server
// ends as the file's order says.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, startCli } from "../helpers/cli.js";
import { TEST_KEY } from "../helpers/client.js";
import { makeTempDir } from "../helpers/temp-dir.js";
import { expectedMembers, randomChanges, segmentServer, sorted } from "../outbox/ordered-kit.js";

const env = (url: string) => ({ ENABLE3_API_KEY: TEST_KEY, ENABLE3_BASE_URL: url });

describe("enable3 import segments, killed and run again", () => {
  it("kill -9 three times mid-run, then the same command: every user ends as the file says", async () => {
    const seg = await segmentServer(() => Math.random() < 0.05); // a few 503s: the client retries them
    const dir = await makeTempDir("enable3-import-segments-kill");
    const file = path.join(dir, "tiers.ndjson");
    const changes = randomChanges(100, 10);
    await writeFile(file, `${changes.map((c) => JSON.stringify(c)).join("\n")}\n`);
    const args = ["import", "segments", file, "--json", "--concurrency", "16", "--max-retries", "10", "--retry-delay-ms", "1"];
    for (let kill = 0; kill < 3; kill++) {
      const applied = seg.order.length;
      const run = startCli(args, env(seg.server.url));
      // killed once it has delivered something more, at a random moment after that
      await expect.poll(() => seg.order.length > applied || run.child.exitCode !== null, { timeout: 30_000 }).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 200));
      run.child.kill("SIGKILL");
      await run.result;
    }
    const last = await runCli(args, env(seg.server.url));
    expect(last.code, last.stderr).toBe(0);
    expect(JSON.parse(last.stdout)).toMatchObject({ kind: "segments", failed: 0, stopped: false });
    expect(sorted(seg.members)).toEqual(sorted(expectedMembers(changes)));
  }, 150_000);
});

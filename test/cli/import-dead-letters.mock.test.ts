// Dead letters are written in groups with one sync a group: a kill -9 after many of them loses none
// and writes none twice, whichever way a line failed (not JSON, refused by the SDK, refused by the API).
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, startCli } from "../helpers/cli.js";
import { TEST_KEY } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { makeTempDir } from "../helpers/temp-dir.js";

const LINES = 3_000;
/** Line i (from 1): every fifth is not JSON, every fifth but one refused by the SDK, the rest refused by the API. */
const lineOf = (i: number) =>
  i % 5 === 0 ? `{not json ${i}` : JSON.stringify({ userId: `u${i}`, eventId: "deposit", value: i % 5 === 1 ? `not a number ${i}` : i });

const deadLetterLines = (file: string) =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((text) => (JSON.parse(text) as { line: number }).line);

describe("dead letters written in groups", () => {
  it("killed (kill -9) after each few hundred dead letters, then run to the end: every failed line is in the file once", async () => {
    const server = await startScriptedServer((_req, res) => reply(res, 400, { message: "refused" }));
    const dir = await makeTempDir("enable3-dead-groups");
    const file = path.join(dir, "events.ndjson");
    const deadLetter = path.join(dir, "events.failed.ndjson");
    await writeFile(file, `${Array.from({ length: LINES }, (_, i) => lineOf(i + 1)).join("\n")}\n`);
    const env = { ENABLE3_API_KEY: TEST_KEY, ENABLE3_BASE_URL: server.url };
    const args = ["import", "events", file, "--json", "--concurrency", "4", "--dead-letter", deadLetter];
    const count = () => {
      try {
        return deadLetterLines(deadLetter).length;
      } catch {
        return 0;
      }
    };
    let kills = 0;
    for (let round = 0; round < 20 && kills < 4; round++) {
      const run = startCli(args, env);
      const before = count();
      await expect.poll(() => count() - before >= 300 || run.child.exitCode !== null, { timeout: 30_000 }).toBe(true);
      if (run.child.exitCode !== null) break;
      run.child.kill("SIGKILL");
      await run.result;
      kills++;
    }
    expect(kills).toBeGreaterThanOrEqual(2);
    const last = await runCli(args, env);
    expect(last.code).toBe(1); // every line failed
    expect(JSON.parse(last.stdout)).toMatchObject({ stopped: false, deadLetterWriteError: null });
    const lines = deadLetterLines(deadLetter);
    expect(new Set(lines).size).toBe(LINES);
    expect(lines.length).toBe(LINES); // none twice
  }, 120_000);
});

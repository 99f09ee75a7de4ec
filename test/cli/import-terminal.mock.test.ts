// The import in a real terminal (tmux): at 40, 80 and 120 columns one bar line that never wraps (the
// failed count kept at 40), each failed line told above it as it happens, 100% at the end, the same
// counts as the summary; and a terminal that goes away mid-run.
import { execFileSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, runCli } from "../helpers/cli.js";
import { TEST_KEY } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { registerTeardown } from "../helpers/teardown.js";
import { makeTempDir } from "../helpers/temp-dir.js";

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

describe("import progress in a terminal", () => {
  it.each([40, 80, 120])(
    "at %i columns",
    async (columns) => {
      const server = await startScriptedServer((_req, res) => void setTimeout(() => reply(res, 201), 3));
      const dir = await makeTempDir("enable3-tty");
      const file = path.join(dir, "events.ndjson");
      const lines = Array.from({ length: 1_500 }, (_, i) =>
        i === 1_000
          ? "{not json"
          : i === 1_200
            ? ""
            : JSON.stringify({ userId: `u${i}`, eventId: "deposit", value: i === 1_100 ? "NaN" : i }),
      );
      await writeFile(file, `${lines.join("\n")}\n`);
      const socket = `enable3-test-${process.pid}-${columns}`;
      const tmux = (...args: string[]) => execFileSync("tmux", ["-L", socket, ...args], { encoding: "utf8" });
      registerTeardown(() => {
        try {
          tmux("kill-server");
        } catch {}
      });
      const command = `env ENABLE3_API_KEY=${TEST_KEY} ENABLE3_BASE_URL=${server.url} ${quote(process.execPath)} ${quote(CLI)} import events ${quote(file)} --concurrency 4; echo "EXIT=$?"; sleep 60`;
      tmux("new-session", "-d", "-x", String(columns), "-y", "30", command);
      let screen = "";
      await expect.poll(() => (screen = tmux("capture-pane", "-p")), { timeout: 30_000, interval: 200 }).toMatch(/EXIT=\d+/);
      const rows = screen.split("\n");
      const bars = rows.filter((row) => /\d+ ok {2}\d+ failed/.test(row));
      expect(bars, screen).toHaveLength(1);
      const bar = bars[0]!;
      expect(bar).toMatch(columns >= 60 ? /^\[#+\] 100% 1,500\/1,500 lines {2}1,497 ok {2}2 failed/ : /^100% 1,497 ok {2}2 failed/);
      expect(bar.length).toBeLessThan(columns);
      // no stale or wrapped piece of an earlier bar anywhere else on the screen
      expect(
        rows.filter((row) => row !== bar && /\[[#.]+\]|\d+ ok|\d\/s\b|ETA \d/.test(row)),
        screen,
      ).toEqual([]);
      expect(rows.indexOf("line 1001: not valid JSON")).toBeLessThan(rows.indexOf(bar));
      if (columns >= 60) expect(rows.indexOf("line 1101: value must be a finite number, got string")).toBeLessThan(rows.indexOf(bar));
      expect(screen.replace(/\n/g, "")).toContain("Done: 1,497 delivered, 1 failed, 1 invalid line, 1 blank line skipped");
      expect(screen).toContain("EXIT=1");
    },
    60_000,
  );
});

describe("import when its terminal goes away", () => {
  it("the terminal closed mid-run (every write then fails with EIO): it stops cleanly with its state kept, ends by SIGHUP (129, not the abort of Node 20), and the same command finishes the rest", async () => {
    const idsOf = new Map<number, Set<string>>();
    let delay = 20;
    const server = await startScriptedServer((req, res) => {
      const { id, value } = JSON.parse(req.body);
      idsOf.set(value, (idsOf.get(value) ?? new Set()).add(id));
      setTimeout(() => reply(res, 201), delay);
    });
    const dir = await makeTempDir("enable3-hangup");
    const file = path.join(dir, "events.ndjson");
    const LINES = 2_000;
    await writeFile(
      file,
      `${Array.from({ length: LINES }, (_, i) => JSON.stringify({ userId: "u", eventId: "deposit", value: i })).join("\n")}\n`,
    );
    const exitFile = path.join(dir, "exit");
    const socket = `enable3-test-${process.pid}-hangup`;
    const tmux = (...args: string[]) => execFileSync("tmux", ["-L", socket, ...args], { encoding: "utf8" });
    registerTeardown(() => {
      try {
        tmux("kill-server");
      } catch {}
    });
    // the shell ignores the hangup so that it outlives the terminal and records how the import ended
    const command = `trap '' HUP; env ENABLE3_API_KEY=${TEST_KEY} ENABLE3_BASE_URL=${server.url} ${quote(process.execPath)} ${quote(CLI)} import events ${quote(file)} --concurrency 8; echo $? > ${quote(exitFile)}`;
    tmux("new-session", "-d", "-x", "80", "-y", "20", command);
    await expect.poll(() => server.requests.length, { timeout: 20_000 }).toBeGreaterThan(50);
    tmux("kill-server");
    await expect.poll(() => readFile(exitFile, "utf8").catch(() => ""), { timeout: 20_000 }).toMatch(/\d/);
    expect((await readFile(exitFile, "utf8")).trim()).toBe("129");
    expect(idsOf.size).toBeLessThan(LINES);
    delay = 0;
    const again = await runCli(["import", "events", file, "--json"], { ENABLE3_API_KEY: TEST_KEY, ENABLE3_BASE_URL: server.url });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ resumed: true, deadLetters: 0 });
    expect(idsOf.size).toBe(LINES);
    expect([...idsOf.values()].filter((ids) => ids.size !== 1)).toEqual([]);
  }, 60_000);
});

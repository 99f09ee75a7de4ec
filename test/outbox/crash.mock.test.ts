// kill -9 at random moments, against a recording server, on the built package: a fileStore outbox in
// two chains of ten processes each killed mid-run. Every event whose enqueue resolved is delivered,
// and none under a second id.
import path from "node:path";
import { describe, expect, it } from "vitest";
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
        // at least 15 enqueues resolved before the random pause: the 20 rounds resolve over 200 however
        // little a loaded machine lets a producer print within the pause
        await expect.poll(() => printed(producer.lines, "E").size).toBeGreaterThanOrEqual(15);
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
  }, 180_000);
});

describe("one process at a time", () => {
  it("a second process opening a fileStore directory in use is refused with the holder's PID", async () => {
    const { server } = await recordingServer();
    const dir = path.join(await makeTempDir("enable3-lock"), "outbox");
    const holder = startFixture("file-producer.mjs", [dir, server.url, "h", "100000"]);
    await holder.waitFor(/^E /);
    const second = startFixture("file-producer.mjs", [dir, server.url, "s", "1"]);
    const { code } = await second.exited;
    expect(code).not.toBe(0);
    expect(second.stderr()).toContain(`is in use by process ${holder.child.pid} `);
    expect(second.lines.filter((l) => l.startsWith("E "))).toEqual([]);
    await holder.kill9();
  });
});

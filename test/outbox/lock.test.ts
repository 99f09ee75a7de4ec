// The store directory's lock, at the file level: a stale lock is taken over by exactly one of the
// openers racing for it, and a lock of another host counts as held only while its holder touches it.
import { unlink, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lockDirectory } from "../../src/outbox/journal/lock.js";
import { makeTempDir } from "../helpers/temp-dir.js";

/** A lock file left by a holder: this process's PID with another start time is a PID reused, so gone. */
const staleHolder = () => JSON.stringify({ pid: process.pid, host: hostname(), since: "2026-01-01T00:00:00Z", start: "1" });

describe("the directory lock", () => {
  it("openers racing for a stale lock: exactly one wins, every time", async () => {
    for (let round = 0; round < 40; round++) {
      const dir = await makeTempDir("enable3-lock-race");
      await writeFile(path.join(dir, "lock"), staleHolder());
      const settled = await Promise.allSettled([lockDirectory(dir, "store"), lockDirectory(dir, "store"), lockDirectory(dir, "store")]);
      const won = settled.filter((s) => s.status === "fulfilled");
      const refused = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected");
      expect(won, `round ${round}`).toHaveLength(1);
      for (const r of refused) expect(r.reason).toMatchObject({ reason: "locked" });
      await (won[0] as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
    }
  });

  it("another host's lock is held while it is touched, and taken over once untouched for a minute", async () => {
    const dir = await makeTempDir("enable3-lock-host");
    const file = path.join(dir, "lock");
    await writeFile(file, JSON.stringify({ pid: 1, host: "another-host", since: "2026-01-01T00:00:00Z" }));
    const error = await lockDirectory(dir, "store").catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: "locked" });
    expect((error as Error).message).toContain("in use by process 1 on another-host");
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await utimes(file, twoMinutesAgo, twoMinutesAgo);
    const lock = await lockDirectory(dir, "store");
    await expect(lockDirectory(dir, "store")).rejects.toMatchObject({ reason: "locked" });
    await lock.release();
  });

  it("the holder notices on its periodic touch, without any write, that its lock was deleted, and says so once", async () => {
    const dir = await makeTempDir("enable3-lock-touch");
    const lost: Error[] = [];
    const lock = await lockDirectory(dir, "store", (e) => lost.push(e), 20);
    await unlink(path.join(dir, "lock"));
    await expect.poll(() => lost.length, { timeout: 5_000 }).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lost).toEqual([expect.objectContaining({ reason: "lock_lost", message: expect.stringMatching(/was deleted/) })]);
    await expect(lock.check()).rejects.toMatchObject({ reason: "lock_lost" });
    await lock.release();
  });
});

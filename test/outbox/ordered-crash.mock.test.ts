// kill -9 at random moments of processes that enqueue segment changes and deliver them (fileStore, on
// the built package), against a recording segment server that refuses some requests: once a last
// process drains the journal, each user's membership at the server is what program order says.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeTempDir } from "../helpers/temp-dir.js";
import { pause, startFixture } from "./crash-kit.js";
import { expectedMembers, randomChanges, segmentServer, sorted } from "./ordered-kit.js";

describe("kill -9 while segment changes are enqueued and delivered", () => {
  it("fileStore: 8 processes each killed at a random moment, then one drains; every user ends as program order says", async () => {
    const seg = await segmentServer(() => Math.random() < 0.1); // one request in ten answered 503
    const base = await makeTempDir("enable3-ordered-crash");
    const dir = path.join(base, "outbox");
    const changes = randomChanges(200, 6);
    const file = path.join(base, "changes.json");
    await writeFile(file, JSON.stringify(changes));
    // a change stored by a process killed before it printed "S" is enqueued again by the next: a
    // stretch of changes repeated right after itself leaves every user as the stretch once would
    let next = 0;
    for (let round = 0; round < 8 && next < changes.length; round++) {
      const producer = startFixture("segment-producer.mjs", [dir, seg.server.url, file, String(next)]);
      await producer.waitFor(/^S /);
      await pause(Math.random() * 300);
      await producer.kill9();
      const done = producer.lines.filter((l) => l.startsWith("S ")).map((l) => Number(l.slice(2)));
      next = Math.max(next, ...done);
    }
    expect(next).toBeGreaterThan(0);
    const drain = startFixture("segment-producer.mjs", [dir, seg.server.url, file, String(next), "drain"]);
    await drain.waitFor(/^DRAINED$/, 90_000);
    await drain.exited;
    expect(seg.refused()).toBeGreaterThan(0);
    expect(sorted(seg.members)).toEqual(sorted(expectedMembers(changes)));
  }, 150_000);
});

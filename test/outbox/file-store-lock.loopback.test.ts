// The holder of a fileStore's lock while it runs: a lock deleted (as the old `locked` message invited)
// or replaced under it is noticed before the next write, told loudly (onError, reason lock_lost), and
// the holder stores nothing more, so a second writer never shares the journal with it.
import { unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createOutbox, type Enable3OutboxError, fileStore, type OutboxOptions } from "../../src/outbox.js";
import { clientFor } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { registerTeardown } from "../helpers/teardown.js";
import { makeTempDir } from "../helpers/temp-dir.js";

async function setup() {
  const server = await startScriptedServer((_req, res) => reply(res, 201));
  const dir = await makeTempDir("enable3-lock-lost");
  const open = (options: Partial<OutboxOptions> = {}) => {
    const outbox = createOutbox(clientFor(server.url), { store: fileStore(dir), initialDelayMs: 10, maxDelayMs: 20, ...options });
    registerTeardown(() => outbox.close({ timeoutMs: 0 }));
    return outbox;
  };
  return { server, dir, open };
}

describe("fileStore's lock, lost while held", () => {
  for (const [how, lose] of [
    ["deleted", (file: string) => unlink(file)],
    [
      "replaced by another process's",
      async (file: string) => {
        await unlink(file);
        await writeFile(file, JSON.stringify({ pid: 1, host: "elsewhere", since: new Date().toISOString() }));
      },
    ],
  ] as const) {
    it(`a lock ${how}: the holder refuses every later enqueue (lock_lost), says so on onError, and writes nothing more`, async () => {
      const { server, dir, open } = await setup();
      const errors: Error[] = [];
      const first = open({ onError: (e) => errors.push(e) });
      for (let i = 0; i < 5; i++) await first.enqueue({ id: `a${i}`, userId: "u", eventId: "deposit", value: i });
      await first.flush();
      await lose(path.join(dir, "lock"));
      const refused = await first.enqueue({ id: "late", userId: "u", eventId: "deposit", value: 9 }).catch((e: Enable3OutboxError) => e);
      expect(refused).toMatchObject({ name: "Enable3OutboxError", reason: "lock_lost" });
      await expect(first.enqueue({ id: "later", userId: "u", eventId: "deposit", value: 9 })).rejects.toMatchObject({
        reason: "lock_lost",
      });
      expect(errors).toEqual([
        expect.objectContaining({ reason: "lock_lost", message: expect.stringMatching(/lock .* (deleted|replaced)/) }),
      ]);
      if (how === "deleted") {
        const second = open();
        for (let i = 0; i < 5; i++) await second.enqueue({ id: `b${i}`, userId: "u", eventId: "deposit", value: i });
        await second.flush();
      }
      const ids = server.requests.map((r) => (JSON.parse(r.body) as { id: string }).id);
      expect(ids).not.toContain("late");
      expect(ids.filter((id) => id.startsWith("b"))).toHaveLength(how === "deleted" ? 5 : 0);
    });
  }

  it("the locked message says to delete the lock only once that PID is verified gone, and how this process checked", async () => {
    const { open } = await setup();
    await open().open();
    const error = await open()
      .open()
      .catch((e: Error) => e);
    expect(error).toMatchObject({ reason: "locked" });
    expect((error as Error).message).toMatch(/checked: process \d+ answers kill\(pid, 0\)/);
    expect((error as Error).message).toMatch(/only once you have verified that process \d+ is gone/);
    expect((error as Error).message).not.toMatch(/If that process is gone, delete/);
  });
});

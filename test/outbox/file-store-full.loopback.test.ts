// fileStore on a disk with no room left (a 256 KiB tmpfs, mounted as root like the other full-disk
// tests): a process restarted after a crash opens anyway (taking over its stale lock in place),
// keeps delivering and compacting (which frees room), records the API's refusals as dead once there
// is room, and enqueue refuses (write_failed) only while there is none.
import { execFileSync } from "node:child_process";
import { mkdir, open as openFile, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createOutbox, fileStore, type OutboxOptions } from "../../src/outbox.js";
import { clientFor } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { registerTeardown } from "../helpers/teardown.js";
import { makeTempDir } from "../helpers/temp-dir.js";

const eventValue = (r: { body: string }) => (JSON.parse(r.body) as { value: number }).value;

async function mountSmallDisk() {
  const mount = path.join(await makeTempDir("enable3-full-open"), "disk");
  await mkdir(mount);
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", mount]);
  registerTeardown(() => execFileSync("umount", ["-l", mount]));
  return mount;
}

/** Writes a file until the disk refuses another byte. */
async function fillUp(file: string) {
  const handle = await openFile(file, "w");
  try {
    for (let size = 4096; size >= 1; size = Math.floor(size / 2))
      for (;;) {
        const ok = await handle.write(Buffer.alloc(size, 1)).then(
          () => true,
          () => false,
        );
        if (!ok) break;
      }
  } finally {
    await handle.close();
  }
}

describe("fileStore on a full disk", () => {
  it("a restart on a full disk opens, delivers, records a refusal as dead once compaction frees room; enqueue refuses only while there is none", async () => {
    const server = await startScriptedServer((req, res) => (eventValue(req) === 7 ? reply(res, 422, { message: "no" }) : reply(res, 201)));
    const open = (dir: string, options: Partial<OutboxOptions> = {}) => {
      const outbox = createOutbox(clientFor(server.url), {
        store: fileStore(dir, { segmentBytes: 16 * 1024 }),
        initialDelayMs: 10,
        maxDelayMs: 20,
        ...options,
      });
      registerTeardown(() => outbox.close({ timeoutMs: 0 }));
      return outbox;
    };
    const mount = await mountSmallDisk();
    const dir = path.join(mount, "outbox");
    const first = open(dir, { deliver: false });
    let stored = 0;
    for (let failed = false; !failed; ) {
      await first.enqueue({ userId: `u${stored}`, eventId: "deposit", value: stored, eventTags: ["padding-".repeat(4)] }).then(
        () => stored++,
        () => (failed = true),
      );
    }
    await first.close();
    // as after a kill -9: the lock is left behind (a PID that is gone), and not a byte is free
    await writeFile(
      path.join(dir, "lock"),
      JSON.stringify({ pid: process.pid, host: hostname(), since: "2026-01-01T00:00:00Z", start: "1" }),
    );
    await fillUp(path.join(mount, "filler"));
    const errors: Error[] = [];
    const outbox = open(dir, { onError: (e) => errors.push(e) });
    await outbox.open();
    const early = await outbox.enqueue({ userId: "u", eventId: "deposit", value: 1_000_001 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (early) expect(["write_failed", "full"]).toContain((early as { reason?: string }).reason);
    const refused = 1; // one refusal on a full disk: it must wedge nothing
    await expect.poll(() => outbox.stats().dead, { timeout: 20_000 }).toBe(refused);
    await Promise.race([outbox.flush(), new Promise((_, reject) => setTimeout(() => reject(new Error("flush stuck")), 20_000).unref())]);
    const sent = new Set(server.requests.map(eventValue));
    expect(Array.from({ length: stored }, (_, v) => v).filter((v) => !sent.has(v))).toEqual([]);
    expect(outbox.stats()).toMatchObject({ pending: 0, dead: refused });
    await outbox.enqueue({ userId: "u", eventId: "deposit", value: 1_000_007 }); // compaction made room
    await outbox.flush();
  });
});

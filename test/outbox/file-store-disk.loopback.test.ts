// fileStore on real disks: a full one (a 256 KiB tmpfs: enqueue rejects, nothing torn stays, every
// enqueue that resolved is delivered after a restart), a torn last write and a damaged record (both
// found at open: the torn tail dropped, the damaged record skipped and reported), one fsync per group
// commit, compaction of settled segments, retry state kept across a restart.
import { execFileSync } from "node:child_process";
import { appendFile, mkdir, open as openFile, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { createOutbox, fileStore, type OutboxOptions } from "../../src/outbox.js";
import { clientFor } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { registerTeardown } from "../helpers/teardown.js";
import { makeTempDir } from "../helpers/temp-dir.js";

const body = (r: { body: string }) => JSON.parse(r.body) as { id: string; value: number };

async function setup(handler: Parameters<typeof startScriptedServer>[0] = (_req, res) => reply(res, 201)) {
  const server = await startScriptedServer(handler);
  const open = (dir: string, options: Partial<OutboxOptions> = {}, storeOptions = {}) => {
    const outbox = createOutbox(clientFor(server.url), {
      store: fileStore(dir, storeOptions),
      initialDelayMs: 10,
      maxDelayMs: 20,
      ...options,
    });
    registerTeardown(() => outbox.close({ timeoutMs: 0 }));
    return outbox;
  };
  return { server, open };
}

describe("fileStore on real disks", () => {
  it("a full disk: enqueue rejects (write_failed, ENOSPC) and stores nothing; after more room every enqueue that resolved is delivered", async () => {
    const { server, open } = await setup();
    const mount = path.join(await makeTempDir("enable3-full"), "disk");
    await mkdir(mount);
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", mount]);
    registerTeardown(() => execFileSync("umount", ["-l", mount]));
    const dir = path.join(mount, "outbox");
    const outbox = open(dir, { deliver: false });
    const resolved: string[] = [];
    let failure: unknown;
    for (let i = 0; i < 5_000 && !failure; i++) {
      await outbox.enqueue({ userId: `u${i}`, eventId: "deposit", value: i, eventTags: ["padding-".repeat(4)] }).then(
        ({ id }) => resolved.push(id),
        (error) => (failure = error),
      );
    }
    expect(failure).toMatchObject({ name: "Enable3OutboxError", reason: "write_failed", message: expect.stringMatching(/ENOSPC/) });
    expect(resolved.length).toBeGreaterThan(100);
    await outbox.close();
    execFileSync("mount", ["-o", "remount,size=8m", mount]);
    const again = open(dir);
    await again.flush();
    const sent = new Set(server.requests.map((r) => body(r).id));
    expect(resolved.filter((id) => !sent.has(id))).toEqual([]);
    expect(server.requests).toHaveLength(resolved.length);
  });

  it("a torn last write is dropped and a damaged record skipped and reported, at open; the rest is delivered", async () => {
    const { server, open } = await setup();
    const dir = await makeTempDir("enable3-torn");
    const first = open(dir, { deliver: false });
    for (let i = 0; i < 10; i++) await first.enqueue({ id: `e${i}`, userId: "u", eventId: "deposit", value: i });
    await first.close();
    const [segment] = (await readdir(dir)).filter((n) => /^\d{10}\.log$/.test(n));
    const file = path.join(dir, segment!);
    const lines = (await readFile(file, "utf8")).split("\n");
    lines[3] = lines[3]!.replace('"value":3', '"value":4'); // bit rot: the checksum no longer matches
    await writeFile(file, lines.join("\n"));
    await appendFile(file, '0badc0de {"k":"e","id":"torn'); // a write cut short by a crash
    const errors: string[] = [];
    const second = open(dir, { onError: (e) => errors.push(e.message) });
    await second.flush();
    expect(server.requests.map((r) => body(r).id).sort()).toEqual(["e0", "e1", "e2", "e4", "e5", "e6", "e7", "e8", "e9"]);
    expect(errors).toEqual([
      expect.stringMatching(/bytes after the last whole record .* were dropped/),
      expect.stringMatching(/1 record is damaged .*record 4 of the segment; ids "e3"/),
    ]);
  });

  it("group commit: 2,000 concurrent enqueues take a handful of fsyncs, not 2,000", async () => {
    const { open } = await setup();
    const outbox = open(await makeTempDir("enable3-group"), { deliver: false });
    await outbox.open();
    const probe = await openFile(import.meta.filename, "r");
    const syncs = vi.spyOn(Object.getPrototypeOf(probe), "datasync");
    await probe.close();
    registerTeardown(() => syncs.mockRestore());
    await Promise.all(Array.from({ length: 2_000 }, (_, i) => outbox.enqueue({ userId: "u", eventId: "deposit", value: i })));
    expect(syncs.mock.calls.length).toBeLessThan(20);
    expect(outbox.stats().pending).toBe(2_000);
  });

  it("delivered segments are deleted; a record waiting out a backoff keeps its attempts and its wait across a restart", async () => {
    let fail = true;
    const e0At: number[] = []; // when the server answered each attempt of e0
    const { server, open } = await setup((req, res) => {
      if (body(req).value === 0) e0At.push(Date.now());
      return fail && body(req).value === 0 ? reply(res, 503) : reply(res, 201);
    });
    const dir = await makeTempDir("enable3-compact");
    const attempts: number[] = [];
    let delayMs = 0;
    let retried!: () => void;
    const firstRetry = new Promise<void>((resolve) => (retried = resolve));
    // enqueued before delivery starts: on a loaded machine 200 fsyncs may outlast e0's backoff
    const filling = open(dir, { deliver: false }, { segmentBytes: 4096 });
    for (let i = 0; i < 200; i++) await filling.enqueue({ id: `e${i}`, userId: "u", eventId: "deposit", value: i });
    await filling.close();
    const first = open(
      dir,
      {
        // 3 to 6 s: the polls below usually end well within it, but a loaded machine may outlast it, and
        // then e0 is tried (and refused) again before the restart: the checks count those attempts too
        initialDelayMs: 6_000,
        maxDelayMs: 6_000,
        onRetry: (i) => {
          attempts.push(i.attempt);
          delayMs = i.delayMs;
          retried();
        },
      },
      { segmentBytes: 4096 },
    );
    await firstRetry;
    await expect.poll(() => first.stats().pending + first.stats().inFlight).toBe(1);
    await expect.poll(async () => (await readdir(dir)).filter((n) => /^\d{10}\.log$/.test(n))).toHaveLength(1); // the one holding e0: the others, sealed at the reopen, are all deleted
    await first.close();
    fail = false;
    const delivered: number[] = [];
    // the same maxDelayMs: a stored wait longer than the reopening outbox's maxDelayMs is cut to it
    const second = open(dir, { maxDelayMs: 6_000, onDelivered: (i) => delivered.push(i.attempt) }, { segmentBytes: 4096 });
    await second.flush();
    const before = attempts.length; // e0's refused attempts before the restart: 1, or more on a loaded machine
    expect(attempts).toEqual(Array.from({ length: before }, (_, i) => i + 1));
    expect(delivered).toEqual([before + 1]); // the next attempt, counted across the restart
    expect(e0At).toHaveLength(before + 1);
    expect(e0At[before]! - e0At[before - 1]!).toBeGreaterThanOrEqual(delayMs); // it waited out its last backoff, restart or not
    expect(server.requests.filter((r) => body(r).value === 0)).toHaveLength(before + 1);
  });
});

describe("fileStore when a write fails and cannot be cut back", () => {
  it("fdatasync then the cut-back ftruncate fail: the refused record is never delivered, and the next enqueue is stored", async () => {
    const { server, open } = await setup();
    const dir = await makeTempDir("enable3-eio");
    const first = open(dir, { deliver: false });
    await first.enqueue({ id: "before", userId: "u", eventId: "deposit", value: 1 });
    const probe = await openFile(import.meta.filename, "r");
    const handle = Object.getPrototypeOf(probe) as { datasync(): Promise<void>; truncate(len?: number): Promise<void> };
    await probe.close();
    const eio = () => Object.assign(new Error("EIO: i/o error"), { code: "EIO" });
    const syncs = vi.spyOn(handle, "datasync").mockRejectedValueOnce(eio());
    const truncates = vi.spyOn(handle, "truncate").mockRejectedValueOnce(eio());
    registerTeardown(() => {
      syncs.mockRestore();
      truncates.mockRestore();
    });
    await expect(first.enqueue({ id: "refused", userId: "u", eventId: "deposit", value: 2 })).rejects.toMatchObject({
      reason: "write_failed",
    });
    expect(truncates).toHaveBeenCalled();
    await first.enqueue({ id: "after", userId: "u", eventId: "deposit", value: 3 });
    await first.close();
    const second = open(dir);
    await second.flush();
    expect(server.requests.map((r) => body(r).id).sort()).toEqual(["after", "before"]);
  });
});

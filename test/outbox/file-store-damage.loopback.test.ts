// fileStore after damage an operator's disk can do between two runs: a lost or added newline, a
// zeroed 512-byte block, a sealed segment cut short (mid-record or at a record boundary), a segment
// file deleted. Every record still readable is delivered once, every one that is not is reported
// (how many, and the ids that could be read), and flush() returns.
import { readdir, readFile, truncate, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createOutbox, fileStore, type OutboxOptions } from "../../src/outbox.js";
import { clientFor } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { registerTeardown } from "../helpers/teardown.js";
import { makeTempDir } from "../helpers/temp-dir.js";

const eventValue = (r: { body: string }) => (JSON.parse(r.body) as { value: number }).value;
const idOf = (r: { body: string }) => (JSON.parse(r.body) as { id: string }).id;
const segmentsIn = async (dir: string) => (await readdir(dir)).filter((n) => /^\d{10}\.log$/.test(n)).sort();

/** A server that accepts values below `acceptBelow` (201) and answers 503 to the rest until `open()`. */
async function setup() {
  const gate = { acceptBelow: Number.POSITIVE_INFINITY };
  const server = await startScriptedServer((req, res) => reply(res, eventValue(req) < gate.acceptBelow ? 201 : 503));
  const open = (dir: string, options: Partial<OutboxOptions> = {}, segmentBytes?: number) => {
    const outbox = createOutbox(clientFor(server.url), {
      store: fileStore(dir, segmentBytes ? { segmentBytes } : {}),
      initialDelayMs: 10,
      maxDelayMs: 20,
      ...options,
    });
    registerTeardown(() => outbox.close({ timeoutMs: 0 }));
    return outbox;
  };
  return { server, open, gate };
}

/** Fails the test instead of hanging when flush() never returns. */
const within = <T>(ms: number, promise: Promise<T>) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`not done in ${ms} ms`)), ms).unref())]);

/** 300 events e0…e299 in one segment; e0…e99 delivered (their marks written), the rest pending. */
async function halfDelivered() {
  const { server, open, gate } = await setup();
  const dir = await makeTempDir("enable3-damage");
  const first = open(dir, { deliver: false });
  for (let i = 0; i < 300; i += 50)
    await Promise.all(
      Array.from({ length: 50 }, (_, j) => first.enqueue({ id: `e${i + j}`, userId: "u", eventId: "deposit", value: i + j })),
    );
  await first.close();
  gate.acceptBelow = 100;
  const second = open(dir);
  await expect.poll(() => new Set(server.requests.filter((r) => eventValue(r) < 100).map(idOf)).size, { timeout: 20_000 }).toBe(100);
  await second.close();
  gate.acceptBelow = Number.POSITIVE_INFINITY;
  server.requests.length = 0;
  const [segment] = await segmentsIn(dir);
  return { server, open, dir, file: path.join(dir, segment!) };
}

async function deliverAfter(damage: (bytes: Buffer) => Buffer) {
  const { server, open, dir, file } = await halfDelivered();
  await writeFile(file, damage(await readFile(file)));
  const errors: Error[] = [];
  const outbox = open(dir, { onError: (e) => errors.push(e) });
  await within(10_000, outbox.flush());
  const sent = server.requests.map(idOf);
  return { sent, errors, outbox };
}

/** The byte offset of the newline that ends line `line` (from 0). */
const newlineAfter = (bytes: Buffer, line: number) => {
  let at = -1;
  for (let i = 0; i <= line; i++) at = bytes.indexOf(10, at + 1);
  return at;
};

describe("fileStore after damage that moves line boundaries", () => {
  it("a lost newline (two lines run together): the two records reported by id, every other pending one sent once, none sent again", async () => {
    const { sent, errors } = await deliverAfter((bytes) =>
      Buffer.concat([bytes.subarray(0, newlineAfter(bytes, 150)), bytes.subarray(newlineAfter(bytes, 150) + 1)]),
    );
    const expected = Array.from({ length: 200 }, (_, i) => `e${i + 100}`).filter((id) => id !== "e150" && id !== "e151");
    expect([...sent].sort()).toEqual(expected.sort());
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ name: "Enable3OutboxError", reason: "corrupt" });
    expect(errors[0]!.message).toMatch(/2 records are damaged .*"e150", "e151"/);
  });

  it("an added newline inside a record: that one record reported, the rest sent once", async () => {
    const { sent, errors } = await deliverAfter((bytes) => {
      const at = newlineAfter(bytes, 200) - 5;
      return Buffer.concat([bytes.subarray(0, at), Buffer.from("\n"), bytes.subarray(at)]);
    });
    expect([...sent].sort()).toEqual(
      Array.from({ length: 200 }, (_, i) => `e${i + 100}`)
        .filter((id) => id !== "e200")
        .sort(),
    );
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/1 record is damaged .*"e200"/)]);
  });

  it("a zeroed 512-byte block: the records it touched reported (with a count), the rest sent once, none of the delivered ones again", async () => {
    const { sent, errors } = await deliverAfter((bytes) => {
      const copy = Buffer.from(bytes);
      copy.fill(0, 512 * 60, 512 * 61);
      return copy;
    });
    expect(errors).toHaveLength(1);
    const lost = Number(/(\d+) records? (?:is|are) damaged/.exec(errors[0]!.message)?.[1]);
    expect(lost).toBeGreaterThanOrEqual(2);
    expect(sent.length + lost).toBe(200);
    expect(new Set(sent).size).toBe(sent.length);
    expect(sent.every((id) => Number(id.slice(1)) >= 100)).toBe(true);
  });
});

describe("fileStore with a segment cut short or deleted", () => {
  /** 150 records over several sealed segments of 4 KiB, none delivered; then `damage`, then a run. */
  async function segmentsThen(damage: (dir: string, segments: string[]) => Promise<void>) {
    const { server, open } = await setup();
    const dir = await makeTempDir("enable3-cut");
    const first = open(dir, { deliver: false }, 4096);
    for (let i = 0; i < 150; i++) await first.enqueue({ id: `e${i}`, userId: "u", eventId: "deposit", value: i });
    await first.close();
    const segments = await segmentsIn(dir);
    expect(segments.length).toBeGreaterThan(3);
    await damage(dir, segments);
    const errors: Error[] = [];
    const outbox = open(dir, { onError: (e) => errors.push(e) }, 4096);
    await within(10_000, outbox.flush());
    const sent = server.requests.map(idOf);
    await outbox.enqueue({ id: "after", userId: "u", eventId: "deposit", value: 1 });
    await within(10_000, outbox.flush());
    expect(server.requests.map(idOf)).toContain("after");
    expect(new Set(sent).size).toBe(sent.length);
    return { sent, errors };
  }
  const countIn = (e: Error) => Number(/(\d+) records? (?:is|are)/.exec(e.message)?.[1]);

  it("a sealed segment cut mid-record: the records cut off are reported and counted, delivery goes on", async () => {
    const { sent, errors } = await segmentsThen(async (dir, segments) => {
      const file = path.join(dir, segments[1]!);
      const bytes = await readFile(file);
      await truncate(file, newlineAfter(bytes, 9) + 20);
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ reason: "corrupt" });
    expect(sent.length + countIn(errors[0]!)).toBe(150);
  });

  it("a sealed segment cut at a record boundary: the missing records are reported and counted", async () => {
    const { sent, errors } = await segmentsThen(async (dir, segments) => {
      const file = path.join(dir, segments[1]!);
      await truncate(file, newlineAfter(await readFile(file), 9) + 1);
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/missing/);
    expect(sent.length + countIn(errors[0]!)).toBe(150);
  });

  it("a segment's log deleted: its records are reported and counted, the rest delivered", async () => {
    const { sent, errors } = await segmentsThen(async (dir, segments) => {
      await unlink(path.join(dir, segments[1]!));
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/deleted/);
    expect(sent.length + countIn(errors[0]!)).toBe(150);
  });

  it("a segment's log and marks both deleted: the manifest still lists it, so its records are reported and counted", async () => {
    const { sent, errors } = await segmentsThen(async (dir, segments) => {
      await unlink(path.join(dir, segments[1]!));
      await unlink(path.join(dir, segments[1]!.replace(".log", ".marks")));
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/deleted \(its marks too\)/);
    expect(sent.length + countIn(errors[0]!)).toBe(150);
  });

  it("the last records of a segment left unsealed by a crash, damaged: dropped with the torn tail, and named by id", async () => {
    const { server, open } = await setup();
    const dir = await makeTempDir("enable3-tail");
    const first = open(dir, { deliver: false });
    for (let i = 0; i < 10; i++) await first.enqueue({ id: `e${i}`, userId: "u", eventId: "deposit", value: i });
    await first.close();
    const [segment] = await segmentsIn(dir);
    const file = path.join(dir, segment!);
    const lines = (await readFile(file, "utf8")).split("\n");
    for (const n of [8, 9]) lines[n] = lines[n]!.replace(`"value":${n}`, `"value":${n + 1}`);
    await writeFile(file, lines.join("\n"));
    const errors: Error[] = [];
    await within(10_000, open(dir, { onError: (e) => errors.push(e) }).flush());
    expect(server.requests.map(idOf).sort()).toEqual(["e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7"]);
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/were dropped; ids that could be read: "e8", "e9"$/)]);
  });
});

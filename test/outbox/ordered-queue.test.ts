// The fileStore's ready queue with ordering keys (journal/record-queue.ts): one record per key handed
// out at a time, in journal order; a retry holds its key's later records; a settled head lets the next
// go; heads waiting for a retry are never spilled; records without a key are never held.
import { describe, expect, it } from "vitest";
import type { StoredRecord } from "../../src/outbox/contract.js";
import { RecordQueue } from "../../src/outbox/journal/record-queue.js";

let n = 0;
const rec = (orderingKey?: string): StoredRecord => ({
  key: `1:${n++}`,
  kind: "assignSegments",
  id: `r${n}`,
  body: [{ userId: orderingKey ?? "x", segmentIds: ["vip"] }],
  attempts: 0,
  enqueuedAt: Date.now(),
  ...(orderingKey === undefined ? {} : { orderingKey }),
});
const keys = (records: StoredRecord[]) => records.map((r) => r.key);

describe("RecordQueue with ordering keys", () => {
  it("hands out one record per key, in journal order; the next once the head is settled; unkeyed ones all at once", () => {
    const q = new RecordQueue({ maxRetrying: 16, maxDelayMs: 1000 });
    const [a1, a2, b1, a3, x1, x2] = [rec("a"), rec("a"), rec("b"), rec("a"), rec(), rec()];
    for (const r of [a1, a2, b1, a3, x1, x2]) q.fromJournal(r!, 0);
    expect(q.heldBack).toBe(2);
    expect(keys(q.take(10))).toEqual(keys([a1!, b1!, x1!, x2!]));
    expect(q.take(10)).toEqual([]);
    expect(q.settled(a1!.key)).toBe("a");
    expect(keys(q.take(10))).toEqual([a2!.key]);
    expect(q.settled(b1!.key)).toBeUndefined(); // nothing behind it
    expect(q.settled(a2!.key)).toBe("a");
    expect(keys(q.take(10))).toEqual([a3!.key]);
    expect(q.heldBack).toBe(0);
  });

  it("a head waiting for a retry holds back its key, and is handed out again before the next", async () => {
    const q = new RecordQueue({ maxRetrying: 16, maxDelayMs: 1000 });
    const [a1, a2, b1] = [rec("a"), rec("a"), rec("b")];
    for (const r of [a1, a2, b1]) q.fromJournal(r!, 0);
    expect(keys(q.take(10))).toEqual(keys([a1!, b1!]));
    q.retryAfter(a1!, 20);
    expect(q.take(10)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, (q.nextWakeIn() ?? 0) + 5));
    expect(keys(q.take(10))).toEqual([a1!.key]);
  });

  it("heads waiting for a retry are kept past maxRetrying (never spilled); unkeyed ones are spilled", () => {
    const q = new RecordQueue({ maxRetrying: 1, maxDelayMs: 60_000 });
    const heads = ["a", "b", "c"].map((k) => rec(k));
    const behind = ["a", "b", "c"].map((k) => rec(k));
    const loose = rec();
    for (const r of heads) q.fromJournal(r, Date.now() + 30_000);
    for (const r of behind) q.fromJournal(r, 0);
    q.fromJournal(loose, Date.now() + 30_000);
    expect([...q.records.keys()].sort()).toEqual(keys([...heads, ...behind]).sort()); // the unkeyed one spilled
    expect(q.take(10)).toEqual([]); // each key waits for its head
  });

  it("a record behind the head keeps its retry mark until its turn", () => {
    const q = new RecordQueue({ maxRetrying: 16, maxDelayMs: 60_000 });
    const [a1, a2] = [rec("a"), rec("a")];
    q.fromJournal(a1!, 0);
    q.fromJournal(a2!, Date.now() + 30_000);
    expect(keys(q.take(10))).toEqual([a1!.key]);
    q.settled(a1!.key);
    expect(q.take(10)).toEqual([]);
    expect(q.nextWakeIn()).toBeGreaterThan(20_000);
  });

  it("a line of 20,000 records of one key settles in order", () => {
    const q = new RecordQueue({ maxRetrying: 16, maxDelayMs: 1000 });
    const line = Array.from({ length: 20_000 }, () => rec("a"));
    for (const r of line) q.fromJournal(r, 0);
    const seen: string[] = [];
    let widest = 0;
    for (let batch = q.take(10); batch.length > 0; batch = q.take(10)) {
      widest = Math.max(widest, batch.length);
      seen.push(batch[0]!.key);
      q.settled(batch[0]!.key);
    }
    expect(widest).toBe(1);
    expect(seen).toEqual(keys(line));
  });
});

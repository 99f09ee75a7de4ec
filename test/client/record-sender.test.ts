// The record sender every many-record path shares (sendEvents, sendRevenues, the outbox): one limit on
// sends in flight, each record settled once with the record itself, a failure turned into a typed error.
import { describe, expect, it } from "vitest";
import { sendRecords } from "../../src/client/record-sender.js";
import { Enable3Error } from "../../src/index.js";

describe("sendRecords", () => {
  it("never more than `concurrency` in flight; each record settled once, carried through, in any mix of ready and later records", async () => {
    const records = Array.from({ length: 50 }, (_, i) => ({ n: i }));
    let inFlight = 0;
    let most = 0;
    const settled: { n: number; error: Enable3Error | undefined }[] = [];
    let at = 0;
    await sendRecords(
      // every third record comes later (a promise), the others at once
      () => (at % 3 === 0 ? Promise.resolve(records[at++]) : records[at++]),
      async (record) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, record.n % 4));
        inFlight--;
        if (record.n % 10 === 7) throw new Error("refused");
      },
      (record, error) => settled.push({ n: record.n, error }),
      4,
    );
    expect(most).toBe(4);
    expect(settled.map((s) => s.n).sort((a, b) => a - b)).toEqual(records.map((r) => r.n));
    const failed = settled.filter((s) => s.error);
    expect(failed.map((s) => s.n).sort((a, b) => a - b)).toEqual([7, 17, 27, 37, 47]);
    for (const { error } of failed) expect(error).toBeInstanceOf(Enable3Error);
    // the very record object handed out is the one settled
    expect(settled.every((s) => records[s.n]!.n === s.n)).toBe(true);
  });

  it("a source that waits holds no slot: records handed out later are still sent, and the run ends when it says so", async () => {
    const waiting: ((value: number | undefined) => void)[] = [];
    const sent: number[] = [];
    const run = sendRecords<number>(
      () => new Promise((resolve) => waiting.push(resolve)),
      async (n) => void sent.push(n),
      () => {},
      3,
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(waiting).toHaveLength(3); // every slot asked, none sent anything yet
    waiting.shift()!(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual([1]);
    // the end: every waiting slot (and the one that asked again) told there are no more
    while (waiting.length) waiting.shift()!(undefined);
    await new Promise((resolve) => setImmediate(resolve));
    while (waiting.length) waiting.shift()!(undefined);
    await run;
    expect(sent).toEqual([1]);
  });
});

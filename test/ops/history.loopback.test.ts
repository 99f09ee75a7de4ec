// The per-minute history kept in memory: the outbox counts what it delivered, retried and made dead in
// the minute it happened, with the oldest pending age; the receiver counts deliveries by outcome and
// reason, per minute and in total; both keep exactly the last hour.
import { describe, expect, it } from "vitest";
import { createWithdrawalReceiver, formatCallbackDate, memoryStore, signCallback } from "../../src/callback.js";
import { createMinuteRing } from "../../src/internal/minute-ring.js";
import { createOutbox, fileStore } from "../../src/outbox.js";
import { clientFor } from "../helpers/client.js";
import { reply, startScriptedServer } from "../helpers/http-server.js";
import { registerTeardown } from "../helpers/teardown.js";
import { makeTempDir } from "../helpers/temp-dir.js";

describe("outbox.history()", () => {
  it("counts delivered, retried and dead records in this minute, 60 minutes listed oldest first", async () => {
    // e1 delivered; e2 refused for good (422: dead); e3 answered 503 once, then delivered
    const seen = new Map<string, number>();
    const server = await startScriptedServer((req, res) => {
      const id = (JSON.parse(req.body) as { id: string }).id;
      seen.set(id, (seen.get(id) ?? 0) + 1);
      if (id === "e2") return reply(res, 422, { message: "unknown event" });
      if (id === "e3" && seen.get(id) === 1) return reply(res, 503);
      return reply(res, 201);
    });
    const outbox = createOutbox(clientFor(server.url, { maxRetries: 0 }), {
      store: fileStore(await makeTempDir("enable3-history")),
      initialDelayMs: 1,
      maxDelayMs: 5,
    });
    registerTeardown(() => outbox.close({ timeoutMs: 0 }));
    const before = Date.now();
    for (const id of ["e1", "e2", "e3"]) await outbox.enqueue({ id, userId: "u", eventId: "deposit", value: 1 });
    await outbox.flush();
    const minuteOf = (ms: number) => Math.floor(ms / 60_000) * 60_000;
    const readFrom = Date.now();
    const minutes = outbox.history();
    const readTo = Date.now(); // the read may straddle a minute's turn: either minute is the last one
    expect(minutes).toHaveLength(60);
    expect(minutes.map((m) => m.at)).toEqual([...minutes.map((m) => m.at)].sort((a, b) => a - b));
    expect([minuteOf(readFrom), minuteOf(readTo)]).toContain(minutes.at(-1)!.at);
    const sum = (key: "delivered" | "retried" | "dead") => minutes.reduce((n, m) => n + m[key], 0);
    expect([sum("delivered"), sum("retried"), sum("dead")]).toEqual([2, 1, 1]);
    const active = minutes.filter((m) => m.delivered + m.retried + m.dead > 0);
    expect(active.length).toBeGreaterThanOrEqual(1);
    expect(active.every((m) => m.at >= Math.floor(before / 60_000) * 60_000)).toBe(true);
    expect(minutes.at(-1)!.oldestPendingMs).toEqual(expect.any(Number)); // looked at this minute
    expect(outbox.stats().oldestPendingMs).toBe(0);
    expect(minutes.slice(0, 50).every((m) => m.oldestPendingMs === null && m.delivered === 0)).toBe(true);
  });
});

describe("the minute ring", () => {
  it("keeps an hour: a minute 60 minutes back is gone, quiet minutes are listed empty", () => {
    let now = Date.UTC(2026, 0, 1, 12, 0, 30);
    const ring = createMinuteRing(
      () => ({ n: 0 }),
      () => now,
    );
    ring.current().n += 3;
    now += 59 * 60_000;
    ring.current().n += 1;
    expect(ring.list().map((m) => m.n)).toEqual([3, ...new Array(58).fill(0), 1]);
    now += 60_000; // the first minute falls out; its slot is reused by the new one
    ring.current().n += 7;
    const list = ring.list();
    expect(list.map((m) => m.n)).toEqual([...new Array(58).fill(0), 1, 7]);
    expect(list.at(-1)!.at).toBe(Date.UTC(2026, 0, 1, 13, 0));
    now += 3 * 60 * 60_000; // hours of silence: all empty
    expect(ring.list().every((m) => m.n === 0)).toBe(true);
  });
});

describe("receiver.stats()", () => {
  const SECRET = "history-secret-7c1d";
  const body = (transactionId: string) =>
    `{"userId":"p1","amount":1.00,"tokenAmount":100,"tokenRate":0.01,"transactionId":"${transactionId}","createdAt":"${formatCallbackDate(new Date())}"}`;
  const deliver = (text: string, signature = signCallback(text, SECRET)) =>
    new Request("http://operator.example/cb", { method: "POST", body: text, headers: { "x-request-signature": signature } });

  it("counts deliveries by outcome, refusal and failure reason, in total and in this minute", async () => {
    const receiver = createWithdrawalReceiver({
      secrets: [SECRET],
      store: memoryStore(),
      logger: null,
      onWithdrawal(w) {
        if (w.transactionId === "tx-bad") throw new Error("wallet down");
      },
    });
    await receiver.fetch(deliver(body("tx-1")));
    await receiver.fetch(deliver(body("tx-1"))); // duplicate
    await receiver.fetch(deliver(body("tx-2"), signCallback("other", SECRET)));
    await receiver.fetch(deliver(body("tx-3"), "nonsense"));
    await receiver.fetch(new Request("http://operator.example/cb"));
    await receiver.fetch(deliver(body("tx-bad")));
    const { total, minutes } = receiver.stats();
    const expected = {
      processed: 1,
      duplicate: 1,
      refused: 3,
      failed: 1,
      refusals: { "signature-mismatch": 1, "malformed-signature": 1, "method-not-allowed": 1 },
      failures: { "handler-failed": 1 },
    };
    expect(total).toEqual(expected);
    expect(minutes).toHaveLength(60);
    const counted = minutes.filter((m) => m.processed + m.refused + m.failed + m.duplicate > 0);
    const summed = counted.reduce((n, m) => n + m.refused, 0);
    expect(summed).toBe(3);
    expect(receiver.stats().total).toEqual(expected); // a copy: reading changes nothing
  });
});

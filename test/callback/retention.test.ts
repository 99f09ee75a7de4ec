// Withdrawal marks have a stated lifetime: a callback dated more than retentionMs ago is refused (400
// too-old, loudly, the handler not called), and purge() removes only marks older than retention plus a
// margin, so no callback the receiver would still accept can have lost its mark. memoryStore obeys the
// same rule, so it stops growing. The schedule is an unref'd timer that close() stops.
import { describe, expect, it, vi } from "vitest";
import {
  createWithdrawalReceiver,
  formatCallbackDate,
  memoryStore,
  signCallback,
  type WithdrawalReceiverOptions,
  type WithdrawalStore,
} from "../../src/callback.js";
import { Enable3ValidationError } from "../../src/index.js";
import { trackTimers } from "../helpers/timers.js";

const SECRET = "retention-secret-61f0";
const DAY = 24 * 60 * 60 * 1000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY);
const bodyOf = (transactionId: string, createdAt: Date) =>
  `{"userId":"u","amount":10.00,"tokenAmount":1000,"tokenRate":0.01,"transactionId":"${transactionId}","createdAt":"${formatCallbackDate(createdAt)}"}`;

function setup(options: Partial<WithdrawalReceiverOptions<undefined>> = {}) {
  const paid: string[] = [];
  const logger = { error: vi.fn(), warn: vi.fn() };
  const store = memoryStore();
  const receiver = createWithdrawalReceiver({
    secrets: [SECRET],
    store,
    logger,
    onWithdrawal: (w) => void paid.push(w.transactionId),
    ...options,
  });
  const deliver = async (transactionId: string, createdAt: Date) => {
    const body = bodyOf(transactionId, createdAt);
    const response = await receiver.fetch(
      new Request("http://127.0.0.1/cb", { method: "POST", body, headers: { "x-request-signature": signCallback(body, SECRET) } }),
    );
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  return { receiver, store, paid, logger, deliver };
}

describe("retentionMs: a callback older than the marks' lifetime", () => {
  it("is refused with 400 too-old, the handler not called, and a loud log line naming it (default 30 days)", async () => {
    const { deliver, paid, logger, receiver } = setup();
    const refused = await deliver("tx-2020", new Date(Date.UTC(2020, 0, 1)));
    expect(refused).toMatchObject({ status: 400, body: { error: "too-old" } });
    expect((await deliver("tx-31d", daysAgo(31))).status).toBe(400);
    expect((await deliver("tx-29d", daysAgo(29))).status).toBe(200);
    expect(paid).toEqual(["tx-29d"]);
    expect(logger.error).toHaveBeenCalledWith(expect.stringMatching(/withdrawal tx-2020 .*2020-01-01.* retentionMs .*NOT paid/));
    await receiver.close();
  });

  it("follows retentionMs; a date in the future is accepted (its mark is kept past that date)", async () => {
    const { deliver, paid, receiver } = setup({ retentionMs: 2 * DAY });
    expect((await deliver("tx-3d", daysAgo(3))).status).toBe(400);
    expect((await deliver("tx-future", daysAgo(-2))).status).toBe(200);
    expect(await receiver.purge()).toBe(0);
    expect(await deliver("tx-future", daysAgo(-2))).toMatchObject({ status: 200, body: { duplicate: true } });
    expect(paid).toEqual(["tx-future"]);
    await receiver.close();
  });

  it("is checked when the receiver is made: at least an hour, at most ten years", () => {
    const make = (retentionMs: number) => () => setup({ retentionMs });
    expect(make(60_000)).toThrow(Enable3ValidationError);
    expect(make(60_000)).toThrow(/retentionMs/);
    expect(make(11 * 365 * DAY)).toThrow(/retentionMs/);
  });
});

describe("purge: only marks older than retention plus a margin", () => {
  it("memoryStore stops growing: purge forgets old marks and keeps recent ones", async () => {
    const store = memoryStore();
    const complete = async (id: string, createdAt: Date) => {
      const found = await store.claim(id, { leaseMs: 60_000, createdAt });
      if (found.status !== "claimed") throw new Error(found.status);
      await found.claim.complete();
    };
    // marks that arrived 40 days ago (a mark is kept past its arrival too, whatever its createdAt)
    vi.useFakeTimers({ toFake: ["Date"], now: daysAgo(40) });
    try {
      for (let i = 0; i < 1000; i++) await complete(`old-${i}`, daysAgo(0));
    } finally {
      vi.useRealTimers();
    }
    await complete("recent", daysAgo(1));
    await complete("arrived-now", daysAgo(40));
    expect(await store.purge?.({ before: daysAgo(31) })).toBe(1000);
    for (const id of ["recent", "arrived-now"])
      expect((await store.claim(id, { leaseMs: 1, createdAt: daysAgo(1) })).status).toBe("processed");
    expect((await store.claim("old-7", { leaseMs: 1, createdAt: daysAgo(40) })).status).toBe("claimed");
  });

  it("the receiver's purge keeps every mark it would still accept a callback for (a margin past retentionMs)", async () => {
    const { deliver, paid, receiver } = setup({ retentionMs: 10 * DAY });
    expect((await deliver("tx-edge", new Date(Date.now() - 10 * DAY + 60_000))).status).toBe(200);
    expect(await receiver.purge()).toBe(0);
    expect(await deliver("tx-edge", new Date(Date.now() - 10 * DAY + 60_000))).toMatchObject({ status: 200, body: { duplicate: true } });
    expect(paid).toEqual(["tx-edge"]);
    await receiver.close();
  });

  it("runs on an unref'd schedule from the first delivery, says when it fails, and close() stops it", async () => {
    const live = trackTimers((ms) => ms === 60 * 60 * 1000);
    const inner = memoryStore();
    const purges: Date[] = [];
    const store: WithdrawalStore<undefined> = {
      claim: (id, options) => inner.claim(id, options),
      async purge({ before }) {
        purges.push(before);
        throw new Error("database unreachable");
      },
    };
    const { deliver, logger, receiver } = setup({ store, retentionMs: 10 * DAY });
    expect(live.size).toBe(0); // nothing armed before a delivery (a Worker may not arm timers at start-up)
    expect((await deliver("tx-1", daysAgo(1))).status).toBe(200);
    await vi.waitFor(() =>
      expect(logger.error).toHaveBeenCalledWith(expect.stringMatching(/purging withdrawal marks .*failed.*database unreachable/)),
    );
    expect(purges).toHaveLength(1);
    // retention (10 days) plus the margin (a day) before now
    expect(Math.abs(purges[0]!.getTime() - (Date.now() - 11 * DAY))).toBeLessThan(60_000);
    expect(live.size).toBe(1);
    const [timer] = [...live] as NodeJS.Timeout[];
    expect(timer!.hasRef()).toBe(false);
    await receiver.close();
    expect(live.size).toBe(0);
    await expect(receiver.purge()).rejects.toThrow(/database unreachable/); // callable, and its failure is the caller's
  });
});

// A handler has a deadline (handlerTimeoutMs): one that never returns has its signal aborted, its claim
// released and its delivery answered 503 handler-timeout (logged), and the next delivery runs it.
// On memoryStore; test/callback/handler-deadline.postgres.test.ts holds the same on PostgreSQL.
import { describe, expect, it, vi } from "vitest";
import { createWithdrawalReceiver, type FailedEvent, memoryStore, signCallback } from "../../src/callback.js";

const SECRET = "deadline-secret-6e0b";
const body = (id: string) =>
  `{"userId":"player-9","amount":5.00,"tokenAmount":500,"tokenRate":0.01,"transactionId":"${id}","createdAt":"2026-11-23T10:00:00.000000"}`;
const deliver = (raw: string) =>
  new Request("http://operator.example/cb", { method: "POST", body: raw, headers: { "x-request-signature": signCallback(raw, SECRET) } });

describe("createWithdrawalReceiver: handlerTimeoutMs", () => {
  it("a handler that never returns: its signal aborts, 503 handler-timeout (logged), and the next delivery runs it once", async () => {
    const logger = { error: vi.fn(), warn: vi.fn() };
    const failed: FailedEvent[] = [];
    const signals: AbortSignal[] = [];
    let runs = 0;
    const receiver = createWithdrawalReceiver({
      secrets: [SECRET],
      store: memoryStore(),
      logger,
      handlerTimeoutMs: 150,
      onFailed: (event) => void failed.push(event),
      onWithdrawal(_withdrawal, { signal }) {
        signals.push(signal);
        if (++runs === 1) return new Promise(() => {}); // never settles
      },
    });
    const first = await receiver.fetch(deliver(body("tx-hang")));
    expect(first.status).toBe(503);
    expect(first.headers.get("retry-after")).toBe("5");
    expect(await first.json()).toMatchObject({ error: "handler-timeout", transactionId: "tx-hang" });
    expect(signals[0]!.aborted).toBe(true);
    expect(String(signals[0]!.reason)).toMatch(/handlerTimeoutMs \(150 ms\)/);
    expect(failed).toMatchObject([{ outcome: "failed", reason: "handler-timeout", status: 503, transactionId: "tx-hang" }]);
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringMatching(/^\[enable3\] withdrawal tx-hang failed \(handler-timeout, answered 503\)/),
    );

    const second = await receiver.fetch(deliver(body("tx-hang")));
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({ status: "processed", duplicate: false });
    expect((await receiver.fetch(deliver(body("tx-hang")))).status).toBe(200);
    expect(runs).toBe(2);
    expect(signals[1]!.aborted).toBe(false);
  });

  it("a handler that finishes within its deadline is not aborted afterwards", async () => {
    let signal: AbortSignal | undefined;
    const receiver = createWithdrawalReceiver({
      secrets: [SECRET],
      store: memoryStore(),
      logger: null,
      handlerTimeoutMs: 100,
      onWithdrawal(_w, context) {
        signal = context.signal;
      },
    });
    expect((await receiver.fetch(deliver(body("tx-quick")))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(signal?.aborted).toBe(false);
  });

  it("refuses a handlerTimeoutMs that is not a positive number of milliseconds", () => {
    const make = (handlerTimeoutMs: unknown) => () =>
      createWithdrawalReceiver({ secrets: [SECRET], store: memoryStore(), onWithdrawal() {}, handlerTimeoutMs } as never);
    expect(make(0)).toThrow(/^options\.handlerTimeoutMs must be a finite number from 1 to/);
    expect(make("60s")).toThrow(/^options\.handlerTimeoutMs must be/);
    expect(make(undefined)).not.toThrow();
  });
});

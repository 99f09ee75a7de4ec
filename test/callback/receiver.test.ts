// The withdrawal receiver through its fetch adapter, on real Request objects and memoryStore: statuses
// that make a sender retry exactly when it should, one handler run per transaction whatever the
// deliveries, bodies capped and bounded in time, typed hooks that cannot break a delivery.
import { describe, expect, it, vi } from "vitest";
import {
  createWithdrawalReceiver,
  type FailedEvent,
  formatCallbackDate,
  memoryStore,
  type ReceiverEvent,
  signCallback,
  type WithdrawalReceiverOptions,
  type WithdrawalStore,
} from "../../src/callback.js";
import { Enable3ValidationError } from "../../src/index.js";

/** Today: a callback dated further back than retentionMs (30 days) is refused. */
const CREATED_AT = formatCallbackDate(new Date());

const SECRET = "receiver-secret-5b1c";
const OLD_SECRET = "receiver-secret-old-77";
const URL_ = "http://operator.example/enable3/callback";

const bodyOf = (transactionId: string, extra: Record<string, unknown> = {}) =>
  `{"userId":"player-42","amount":100.00,"tokenAmount":10000,"tokenRate":0.01,"transactionId":${JSON.stringify(transactionId)},"createdAt":"${CREATED_AT}"${Object.entries(
    extra,
  )
    .map(([k, v]) => `,"${k}":${JSON.stringify(v)}`)
    .join("")}}`;

function delivery(
  body: string,
  init: { secret?: string; signature?: string | null; method?: string; headers?: Record<string, string> } = {},
) {
  const signature = init.signature === undefined ? signCallback(body, init.secret ?? SECRET) : init.signature;
  const headers: Record<string, string> = { "content-type": "application/json", ...init.headers };
  if (signature !== null) headers["x-request-signature"] = signature;
  const method = init.method ?? "POST";
  return new Request(URL_, { method, headers, ...(method === "GET" ? {} : { body }) });
}

interface Setup extends Partial<WithdrawalReceiverOptions<undefined>> {
  pay?: (transactionId: string, attempt: number) => unknown;
}

function setup(options: Setup = {}) {
  const runs: string[] = [];
  const events: ReceiverEvent[] = [];
  const logger = { error: vi.fn(), warn: vi.fn() };
  const { pay, ...rest } = options;
  const receiver = createWithdrawalReceiver({
    secrets: [SECRET, OLD_SECRET],
    store: memoryStore(),
    logger,
    async onWithdrawal(withdrawal, { transactionId }) {
      runs.push(transactionId);
      expect(withdrawal.transactionId).toBe(transactionId);
      await pay?.(transactionId, runs.filter((id) => id === transactionId).length);
    },
    onProcessed: (e) => void events.push(e),
    onDuplicate: (e) => void events.push(e),
    onRefused: (e) => void events.push(e),
    onFailed: (e) => void events.push(e),
    ...rest,
  });
  const send = async (request: Request) => {
    const response = await receiver.fetch(request);
    return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
  };
  return { receiver, runs, events, logger, send };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("createWithdrawalReceiver: statuses", () => {
  it("pays a verified withdrawal once: 200 when recorded, the same 200 for a duplicate without calling the handler", async () => {
    const { runs, send, events } = setup();
    const body = bodyOf("tx-1");
    expect(await send(delivery(body))).toMatchObject({
      status: 200,
      body: { status: "processed", transactionId: "tx-1", duplicate: false },
    });
    expect(await send(delivery(body))).toMatchObject({
      status: 200,
      body: { status: "processed", transactionId: "tx-1", duplicate: true },
    });
    expect(runs).toEqual(["tx-1"]);
    expect(events.map((e) => [e.outcome, e.status])).toEqual([
      ["processed", 200],
      ["duplicate", 200],
    ]);
  });

  it("verifies against each secret of a rotation", async () => {
    const { runs, send } = setup();
    expect((await send(delivery(bodyOf("tx-old"), { secret: OLD_SECRET }))).status).toBe(200);
    expect((await send(delivery(bodyOf("tx-new"), { secret: SECRET }))).status).toBe(200);
    expect(runs).toEqual(["tx-old", "tx-new"]);
  });

  it.each([
    ["no signature", delivery(bodyOf("tx-2"), { signature: null }), 401, "missing-signature"],
    ["a malformed signature", delivery(bodyOf("tx-2"), { signature: "abc" }), 401, "malformed-signature"],
    ["another secret", delivery(bodyOf("tx-2"), { secret: "not-ours" }), 401, "signature-mismatch"],
    [
      "a tampered body",
      new Request(URL_, { method: "POST", body: bodyOf("tx-3"), headers: { "x-request-signature": signCallback(bodyOf("tx-2"), SECRET) } }),
      401,
      "signature-mismatch",
    ],
    ["a body that is not JSON", delivery("amount=100"), 400, "invalid-json"],
    ["a whitespace-only transactionId", delivery(bodyOf("  \t")), 400, "invalid-payload"],
    ["a missing field", delivery('{"transactionId":"tx-4"}'), 400, "invalid-payload"],
    ["a GET", delivery("", { method: "GET" }), 405, "method-not-allowed"],
  ])("refuses %s without calling the handler", async (_name, request, status, reason) => {
    const { runs, send, events } = setup();
    const answer = await send(request);
    expect(answer).toMatchObject({ status, body: { error: reason } });
    expect(runs).toEqual([]);
    expect(events).toMatchObject([{ outcome: "refused", status, reason }]);
  });

  it("a handler that throws: 500, released, and the next delivery pays it, once", async () => {
    const { runs, send, events, logger } = setup({
      pay: (_id, attempt) => {
        if (attempt === 1) throw new Error("wallet service down");
      },
    });
    const body = bodyOf("tx-retry");
    expect(await send(delivery(body))).toMatchObject({ status: 500, body: { error: "handler-failed", transactionId: "tx-retry" } });
    expect(await send(delivery(body))).toMatchObject({ status: 200, body: { duplicate: false } });
    expect(await send(delivery(body))).toMatchObject({ status: 200, body: { duplicate: true } });
    expect(runs).toEqual(["tx-retry", "tx-retry"]);
    expect((events[0] as FailedEvent).error).toEqual(new Error("wallet service down"));
    expect(logger.error).toHaveBeenCalledWith(
      "[enable3] withdrawal tx-retry failed (handler-failed, answered 500): Error: wallet service down",
    );
  });

  it("20 concurrent deliveries of one transaction: one handler run, every answer 200 once it is recorded", async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { runs, send } = setup({ pay: () => gate });
    const body = bodyOf("tx-burst");
    const answers = Array.from({ length: 20 }, () => send(delivery(body)));
    let settled = 0;
    for (const a of answers) a.then(() => settled++);
    await sleep(50);
    expect(settled).toBe(0); // nobody is told 2xx while the payout runs
    release();
    const results = await Promise.all(answers);
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(results.filter((r) => r.body.duplicate === false)).toHaveLength(1);
    expect(runs).toEqual(["tx-burst"]);
  });

  it("concurrent deliveries while the first fails: a waiting one runs it, and it is paid once", async () => {
    const { runs, send } = setup({
      pay: async (_id, attempt) => {
        await sleep(20);
        if (attempt === 1) throw new Error("first try fails");
      },
    });
    const body = bodyOf("tx-fail-burst");
    const results = await Promise.all(Array.from({ length: 5 }, () => send(delivery(body))));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 500]);
    expect(runs).toEqual(["tx-fail-burst", "tx-fail-burst"]);
  });

  it("a duplicate still in flight after inFlightWaitMs is told to retry later (503, Retry-After), never 2xx", async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { send, events } = setup({ pay: () => gate, inFlightWaitMs: 30 });
    const body = bodyOf("tx-slow");
    const first = send(delivery(body));
    const second = await send(delivery(body));
    expect(second.status).toBe(503);
    expect(second.headers.get("retry-after")).toBe("5");
    expect(second.body).toMatchObject({ error: "in-flight", transactionId: "tx-slow" });
    release();
    expect((await first).status).toBe(200);
    expect((await send(delivery(body))).body).toMatchObject({ duplicate: true });
    expect(events.map((e) => e.outcome === "duplicate" && e.reason)).toContain("in-flight");
  });

  it("a store that fails answers 503 and is logged; a lost lease answers 503 and records nothing", async () => {
    const broken: WithdrawalStore = {
      claim: async () => {
        throw new Error("connection refused");
      },
    };
    const a = setup({ store: broken });
    expect(await a.send(delivery(bodyOf("tx-s")))).toMatchObject({ status: 503, body: { error: "store-failed" } });
    expect(a.runs).toEqual([]);
    expect(a.logger.error).toHaveBeenCalledWith(expect.stringContaining("store-failed"));

    let signal: AbortSignal | undefined;
    const losing: WithdrawalStore = {
      claim: async () => ({
        status: "claimed",
        claim: { tx: undefined, renew: async () => false, complete: async () => false, release: async () => {} },
      }),
    };
    const b = createWithdrawalReceiver({
      secrets: [SECRET],
      store: losing,
      leaseMs: 150,
      logger: null,
      async onWithdrawal(_w, context) {
        signal = context.signal;
        await sleep(120); // past the first renewal, at a third of the lease
      },
    });
    const response = await b.fetch(delivery(bodyOf("tx-lost")));
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: "lease-lost" });
    expect(signal?.aborted).toBe(true);
  });
});

describe("createWithdrawalReceiver: the raw body", () => {
  const stream = (chunks: string[], { stall = false, fail = false } = {}) =>
    new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = chunks.shift();
        if (next !== undefined) return controller.enqueue(new TextEncoder().encode(next));
        if (fail) return controller.error(new Error("aborted"));
        if (!stall) controller.close();
        else await new Promise(() => {}); // a client that never sends the rest
      },
    });
  const streamed = (body: ReadableStream<Uint8Array>, headers: Record<string, string> = {}) =>
    new Request(URL_, { method: "POST", body, headers, duplex: "half" } as RequestInit);

  it("413 for a declared or streamed body over maxBodyBytes, before verifying anything", async () => {
    const { send, runs } = setup({ maxBodyBytes: 1024 });
    const big = "x".repeat(2048);
    expect((await send(delivery(big))).status).toBe(413);
    expect(await send(streamed(stream([big.slice(0, 1000), big.slice(1000)])))).toMatchObject({
      status: 413,
      body: { error: "body-too-large" },
    });
    expect(runs).toEqual([]);
  });

  it("408 for a body that stalls, 400 for one whose upload breaks: never a throw", async () => {
    const { send, events } = setup({ bodyTimeoutMs: 50 });
    expect(await send(streamed(stream(['{"userId":'], { stall: true })))).toMatchObject({ status: 408, body: { error: "body-timeout" } });
    expect(await send(streamed(stream(['{"userId":'], { fail: true })))).toMatchObject({ status: 400, body: { error: "body-aborted" } });
    expect(events.map((e) => e.outcome === "refused" && e.reason)).toEqual(["body-timeout", "body-aborted"]);
  });

  it("a body already read by a framework fails (500) with a message naming what to change", async () => {
    const { send, events, logger } = setup();
    const request = delivery(bodyOf("tx-used"));
    await request.json(); // what c.req.json() in Hono does before the handler
    const answer = await send(request);
    expect(answer.status).toBe(500);
    expect(answer.body.message).toMatch(/c\.req\.raw/);
    expect(events).toMatchObject([{ outcome: "failed", reason: "body-consumed", status: 500 }]);
    expect(logger.error).toHaveBeenCalledWith(expect.stringMatching(/Hono: pass c\.req\.raw/));
  });

  it("the exact bytes are verified: a number written 100.00 is not re-serialised", async () => {
    const { send } = setup();
    const body = bodyOf("tx-bytes");
    expect(body).toContain('"amount":100.00');
    expect((await send(delivery(body))).status).toBe(200);
  });
});

describe("createWithdrawalReceiver: hooks and secrets", () => {
  it("each hook gets the transactionId, outcome, status and elapsed time", async () => {
    const { send, events } = setup();
    await send(delivery(bodyOf("tx-h")));
    await send(delivery(bodyOf("tx-h")));
    await send(delivery(bodyOf("tx-h"), { secret: "wrong" }));
    expect(events).toMatchObject([
      { outcome: "processed", transactionId: "tx-h", status: 200, elapsedMs: expect.any(Number) },
      { outcome: "duplicate", transactionId: "tx-h", status: 200, reason: "already-processed" },
      { outcome: "refused", status: 401, reason: "signature-mismatch" },
    ]);
    for (const e of events) expect(e.elapsedMs).toBeGreaterThanOrEqual(0);
  });

  it("a throwing hook changes nothing and is reported once; an async one too", async () => {
    const logger = { error: vi.fn(), warn: vi.fn() };
    const paid: string[] = [];
    const receiver = createWithdrawalReceiver({
      secrets: [SECRET],
      store: memoryStore(),
      logger,
      onWithdrawal: (w) => void paid.push(w.transactionId),
      onProcessed: () => {
        throw new Error("metrics down");
      },
      onDuplicate: async () => {
        throw new Error("async metrics down");
      },
    });
    for (const id of ["a", "b", "c"]) expect((await receiver.fetch(delivery(bodyOf(id)))).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await receiver.fetch(delivery(bodyOf("a")))).status).toBe(200);
    await sleep(0);
    expect(paid).toEqual(["a", "b", "c"]);
    expect(logger.warn.mock.calls).toEqual([
      [
        "[enable3] the withdrawal receiver's onProcessed hook threw (Error: metrics down); the withdrawal receiver went on, and later throws of this hook are not reported",
      ],
      [
        "[enable3] the withdrawal receiver's onDuplicate hook threw (Error: async metrics down); the withdrawal receiver went on, and later throws of this hook are not reported",
      ],
    ]);
  });

  it("no secret or signature in any hook argument, answer or log line", async () => {
    const { send, events, logger } = setup({ pay: () => Promise.reject(new Error("nope")) });
    const body = bodyOf("tx-secret");
    const signature = signCallback(body, SECRET);
    const answers = [
      await send(delivery(body)),
      await send(delivery(body, { secret: "other" })),
      await send(delivery("{", { signature: signCallback("{", SECRET) })),
    ];
    const seen = JSON.stringify({ events, answers, calls: [...logger.error.mock.calls, ...logger.warn.mock.calls] });
    for (const secret of [SECRET, OLD_SECRET, signature]) expect(seen).not.toContain(secret);
  });

  it("refuses bad settings with the field named and the value never shown", () => {
    const make = (options: Record<string, unknown>) => () =>
      createWithdrawalReceiver({ secrets: [SECRET], store: memoryStore(), onWithdrawal: () => {}, ...options } as never);
    expect(make({ secrets: [] })).toThrow(Enable3ValidationError);
    expect(make({ secrets: [undefined] })).toThrow(
      /^options\.secrets\[0\] must be a non-empty string \(value not shown\): is ENABLE3_CALLBACK_SECRET set\?$/,
    );
    expect(make({ secrets: "one-secret" })).toThrow(/secrets must be a non-empty array/);
    expect(make({ store: {} })).toThrow(/store must be a WithdrawalStore/);
    expect(make({ onWithdrawal: undefined })).toThrow(/onWithdrawal must be a function/);
    expect(make({ maxBodyBytes: 0 })).toThrow(/maxBodyBytes/);
    expect(make({ onFailed: "log" })).toThrow(/onFailed must be a function/);
  });
});

// The background delivery loop: records the store hands out are fed, lazily, to one long bulk run per
// kind (the client's sendEvents / sendRevenues), never more than `concurrency` in flight; each
// outcome is judged (policy.ts), recorded in the store in batches, and only then told to the hooks.
import type { Enable3Client } from "../client/create-client.js";
import { Enable3AbortError, type Enable3Error } from "../errors/classes.js";
import { waitFor } from "../internal/timers.js";
import type { DeadRecord, OutboxKind, Settlement, StoredRecord, StoreSession } from "./contract.js";
import { asOutboxError } from "./errors.js";
import type { createHookCaller } from "./hooks.js";
import { createPauseGate } from "./pause.js";
import { judge, type RetryPolicy, summarize } from "./policy.js";
import { createRecordAges } from "./record-age.js";

export interface DeliveryOptions {
  client: Enable3Client;
  session: StoreSession;
  concurrency: number;
  policy: RetryPolicy;
  hook: ReturnType<typeof createHookCaller>;
  /** Takes dead records instead of the store (see OutboxOptions.deadLetter). */
  deadLetter: ((record: DeadRecord) => void | Promise<void>) | undefined;
}

export interface Delivery {
  /** Records handed to the bulk sender and not settled yet. */
  inFlight(): number;
  /** Why delivery is paused (the API refuses this server), if it is. */
  paused(): Error | undefined;
  /** Records delivered since the loop started. */
  delivered(): number;
  /** Stops taking records; lets those in flight finish for up to `timeoutMs`, then aborts them (they stay queued). */
  stop(timeoutMs: number): Promise<void>;
  /** Aborts the requests in flight now (a stop under way ends without waiting for them). */
  hurry(): void;
}

/** How long the loop waits after the store failed to hand out records before it asks again. */
const STORE_RETRY_MS = 1_000;

interface Sending {
  record: StoredRecord;
  started: number;
  /** Sent as the probe of a paused outbox. */
  probe: boolean;
}

export function startDelivery(o: DeliveryOptions): Delivery {
  const stopTaking = new AbortController();
  const abortCalls = new AbortController();
  const queues: Record<OutboxKind, StoredRecord[]> = { event: [], revenue: [], assignSegments: [], removeSegments: [] };
  const wakers: Record<OutboxKind, (() => void) | undefined> = {
    event: undefined,
    revenue: undefined,
    assignSegments: undefined,
    removeSegments: undefined,
  };
  const runs: Promise<unknown>[] = [];
  const started = new Set<OutboxKind>();
  const readAhead = Math.max(128, o.concurrency * 8);
  let held = 0; // taken from the store and not yet done with: queued here or in flight
  let inFlight = 0;
  let delivered = 0;
  let freed: (() => void) | undefined;
  let stopping = false;
  let pending: { settlement: Settlement; after: () => void }[] = [];
  let writing: Promise<void> = Promise.resolve();

  const wake = (kind: OutboxKind) => {
    wakers[kind]?.();
    wakers[kind] = undefined;
  };
  const ages = createRecordAges(o.policy);
  const gate = createPauseGate(
    o.policy,
    (error) => o.hook("onError", error),
    () => {
      wake("event");
      wake("revenue");
    },
  );

  // Settlements are written in batches: one store write per turn of the event loop, hooks after it.
  const settle = (settlement: Settlement, after: () => void = () => {}) => {
    held--;
    freed?.();
    pending.push({ settlement, after });
    if (pending.length === 1) writing = writing.then(() => new Promise((resolve) => setImmediate(resolve))).then(writeSettlements);
  };
  const writeSettlements = async (): Promise<void> => {
    const batch = pending;
    pending = [];
    for (;;) {
      try {
        await o.session.settle(batch.map((p) => p.settlement));
        break;
      } catch (error) {
        o.hook("onError", asOutboxError(error, "write_failed", "cannot record what became of delivered records (tried again)"));
        if (stopping && abortCalls.signal.aborted) return; // closing: what was not recorded is sent again next time
        await waitFor(undefined, undefined, STORE_RETRY_MS);
      }
    }
    for (const p of batch) p.after();
  };

  const pump = async () => {
    while (!stopping) {
      // read ahead enough that no request slot waits on the store, in takes big enough to be cheap
      const room = readAhead - held;
      if (room < readAhead / 2) {
        await new Promise<void>((resolve) => (freed = resolve));
        continue;
      }
      let records: StoredRecord[];
      try {
        records = await o.session.take(room, stopTaking.signal);
      } catch (error) {
        if (stopTaking.signal.aborted) break;
        o.hook("onError", asOutboxError(error, "read_failed", "cannot take records to deliver (asked again)"));
        await waitFor(undefined, stopTaking.signal, STORE_RETRY_MS);
        continue;
      }
      for (const record of records) {
        held++;
        if (stopping) {
          settle({ key: record.key, outcome: "released" });
          continue;
        }
        queues[record.kind].push(record);
        if (!started.has(record.kind)) startRun(record.kind);
        wake(record.kind);
      }
    }
  };

  // One slot per request in flight, shared by both kinds.
  let slots = o.concurrency;
  const slotWaiters: (() => void)[] = [];
  const takeSlot = async (): Promise<boolean> => {
    while (slots === 0 && !stopping) await new Promise<void>((resolve) => slotWaiters.push(resolve));
    if (stopping) return false;
    slots--;
    return true;
  };
  const giveSlot = () => {
    slots++;
    slotWaiters.shift()?.();
  };

  const startRun = (kind: OutboxKind) => {
    started.add(kind);
    const sending = new Map<number, Sending>();
    let index = 0;
    async function* feed() {
      for (;;) {
        while (queues[kind].length === 0 || gate.blocked()) {
          if (stopping) return;
          await new Promise<void>((resolve) => (wakers[kind] = resolve));
        }
        if (!(await takeSlot())) return;
        const admitted = gate.admit();
        const record = admitted === "wait" ? undefined : queues[kind].shift();
        if (!record) {
          if (admitted === "probe") gate.unused();
          giveSlot();
          continue;
        }
        sending.set(index++, { record, started: performance.now(), probe: admitted === "probe" });
        inFlight++;
        yield record.body;
      }
    }
    const onSettled = ({ index: at, error }: { index: number; error?: Enable3Error | undefined }) => {
      const entry = sending.get(at);
      if (!entry) return;
      sending.delete(at);
      inFlight--;
      giveSlot();
      outcome(entry, error);
    };
    const options = { concurrency: o.concurrency, signal: abortCalls.signal, collectDelivered: false, collectFailed: false, onSettled };
    const run =
      kind === "event"
        ? o.client.sendEvents(feed() as AsyncIterable<never>, options)
        : o.client.sendRevenues(feed() as AsyncIterable<never>, options);
    runs.push(run.catch((error) => o.hook("onError", error as Error)));
  };

  const outcome = ({ record, started, probe }: Sending, error: Enable3Error | undefined) => {
    const attempt = record.attempts + 1;
    const info = {
      operation: record.kind === "event" ? ("sendEvent" as const) : ("sendRevenue" as const),
      id: record.id,
      attempt,
      status: statusOf(error),
      elapsedMs: performance.now() - started,
      ageMs: Math.max(0, Date.now() - record.enqueuedAt),
      context: record.context,
    };
    if (error instanceof Enable3AbortError && abortCalls.signal.aborted) return settle({ key: record.key, outcome: "released" });
    const verdict = judge(error, attempt, ages.ageOf(record), o.policy);
    if (verdict.outcome === "delivered" || verdict.outcome === "dead") ages.forget(record);
    // the API refuses this server, not the record: it goes back as it was, its attempt not counted
    if (verdict.outcome === "pause") {
      gate.refused(error!, probe);
      return settle({ key: record.key, outcome: "released" });
    }
    gate.answered();
    if (verdict.outcome === "delivered")
      return settle({ key: record.key, outcome: "delivered" }, () => {
        delivered++;
        o.hook("onDelivered", info);
      });
    const failure = summarize(error!);
    if (verdict.outcome === "retry") {
      const settlement = { key: record.key, outcome: "retry", attempts: attempt, delayMs: verdict.delayMs, error: failure } as const;
      return settle(settlement, () => o.hook("onRetry", { ...info, error: error!, delayMs: verdict.delayMs }));
    }
    const dead: DeadRecord = {
      kind: record.kind,
      id: record.id,
      body: record.body,
      attempts: attempt,
      error: failure,
      enqueuedAt: record.enqueuedAt,
      ...(record.context === undefined ? {} : { context: record.context }),
    };
    const told = () => o.hook("onDead", { ...info, error: error!, record: dead });
    if (!o.deadLetter) return settle({ key: record.key, outcome: "dead", attempts: attempt, error: failure }, told);
    // handed over first; the store forgets the record only once the taker has it
    held++;
    Promise.resolve()
      .then(() => o.deadLetter!(dead))
      .then(
        () => settle({ key: record.key, outcome: "delivered" }, told),
        (cause) => {
          o.hook("onError", cause as Error);
          settle({ key: record.key, outcome: "retry", attempts: record.attempts, delayMs: o.policy.initialDelayMs, error: failure });
        },
      )
      .finally(() => {
        held--;
      });
  };

  const pumping = pump().catch((error) => o.hook("onError", error as Error));

  return {
    inFlight: () => inFlight,
    delivered: () => delivered,
    paused: () => gate.problem(),
    hurry: () => abortCalls.abort(new Enable3AbortError("the outbox closed")),
    async stop(timeoutMs) {
      stopping = true;
      gate.stop();
      stopTaking.abort();
      freed?.();
      for (const kind of ["event", "revenue"] as const) {
        for (const record of queues[kind].splice(0)) settle({ key: record.key, outcome: "released" });
        wake(kind);
      }
      while (slotWaiters.length) slotWaiters.shift()!();
      await pumping;
      // one bound for both: the calls in flight, and recording what they settled (a store that keeps
      // failing gives up once it runs out; what was not recorded is sent again next time, same ids)
      const timer = setTimeout(() => abortCalls.abort(new Enable3AbortError("the outbox closed")), timeoutMs);
      try {
        await Promise.all(runs);
        await writing;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function statusOf(error: Enable3Error | undefined): number | undefined {
  const status = (error as { status?: unknown } | undefined)?.status;
  return typeof status === "number" ? status : undefined;
}

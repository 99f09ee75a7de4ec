// The withdrawal receiver: one delivery at a time from raw bytes to an answer whose status makes the
// sender retry exactly when it should. 2xx only once the transaction is recorded as processed; 4xx
// for a delivery refused before anything ran (its signature, payload or upload); 5xx (retry) for the rest. A transaction runs under a store's
// claim, so concurrent and repeated deliveries run the handler once, and a failed run is released
// for the next delivery. The two adapters (fetch, node:http) only read the body and write the answer.

import { CALLBACK_CHECK_REASONS, type CallbackCheckReason } from "../errors/callback.js";
import { sleep } from "../internal/timers.js";
import type { Telemetry } from "../telemetry/opentelemetry.js";
import {
  createReporter,
  type FailureReason,
  type ReceiverEvent,
  type ReceiverHooks,
  type ReceiverLogger,
  type RefusalReason,
} from "./events.js";
import { runUnderClaim } from "./handler-run.js";
import { createReceiverHistory, type ReceiverStats } from "./history.js";
import { mismatchLog } from "./mismatch-log.js";
import { parseVerifiedBody, verifyOrThrow } from "./payload.js";
import { type BodyLimits, type BodyRead, type NodeRequest, readNodeBody, readRequestBody } from "./raw-body.js";
import { settingsOf } from "./receiver-settings.js";
import { purgeSchedule, tooOld } from "./retention.js";
import { Enable3CallbackError, type ParsedWithdrawalCallback, SIGNATURE_HEADER, type SignatureHeader } from "./signature.js";
import type { WithdrawalClaim, WithdrawalStore } from "./store.js";

/** What onWithdrawal is told beside the withdrawal itself. */
export interface WithdrawalContext<Tx> {
  /** The withdrawal's id at Enable3: the key it is de-duplicated on. */
  transactionId: string;
  /**
   * The store's transaction (postgresStore: a client inside BEGIN): write the credit through it and it
   * commits together with the processed mark, or not at all. `undefined` for memoryStore. Never
   * COMMIT or ROLLBACK it yourself.
   */
  tx: Tx;
  /** Aborted when this delivery lost its hold on the transaction (its lease ran out) or passed `handlerTimeoutMs`: stop, and throw. */
  signal: AbortSignal;
}

/** Settings of {@link createWithdrawalReceiver}. */
export interface WithdrawalReceiverOptions<Tx> extends ReceiverHooks {
  /**
   * The callback secret from the Enable3 admin panel; several during a rotation (a body signed with any of
   * them verifies). A secret with a space or line break at either end, or shorter than 8 characters, is
   * refused when the receiver is made.
   */
  secrets: readonly string[];
  /** Where processed transactions are recorded: postgresStore(pool), or memoryStore() for tests and one-process development (a restart forgets). */
  store: WithdrawalStore<Tx>;
  /**
   * Pays the withdrawal out. Called once per transactionId; when it throws, the delivery is answered
   * 500, nothing is recorded, and the next delivery calls it again. Past `handlerTimeoutMs` its `signal`
   * aborts and the delivery is answered 503: stop then (with postgresStore, `tx` is already rolled back
   * and closed; with a store without transactions, work done after the deadline is not undone).
   */
  onWithdrawal(withdrawal: ParsedWithdrawalCallback, context: WithdrawalContext<Tx>): unknown;
  /** Bodies larger than this are refused with 413. @default 65536 */
  maxBodyBytes?: number | undefined;
  /** A body not received in full within this time is refused with 408 (a stalled client). @default 10000 */
  bodyTimeoutMs?: number | undefined;
  /** How long a duplicate waits for the delivery already running its transaction, before a 503. @default 10000 */
  inFlightWaitMs?: number | undefined;
  /** How long a claim lasts without renewal; renewed every third of it while onWithdrawal runs. @default 60000 @deprecated give `leaseMs` to the store (`postgresStore(pool, { leaseMs })`), whose lease wins when given */
  leaseMs?: number | undefined;
  /**
   * How long onWithdrawal may run: then its `signal` aborts, its transaction is rolled back, the claim is
   * released and the delivery is answered 503 `handler-timeout` (logged); the next delivery runs it. @default 60000
   */
  handlerTimeoutMs?: number | undefined;
  /** How long marks are kept: an older `createdAt` is refused (400 `too-old`), marks past this plus a day purged hourly. @default 2592000000 (30 days) */
  retentionMs?: number | undefined;
  /** Where failures (5xx), signature mismatches (at most one line a minute), too-old callbacks and throwing hooks are written; `null` for nowhere. @default console */
  logger?: ReceiverLogger | null | undefined;
  /** OpenTelemetry metrics of the deliveries (by outcome, and their duration): `openTelemetry()` from `enable3-client/opentelemetry`. */
  telemetry?: Telemetry | false | undefined;
}

/** The parts of a node:http response the receiver uses: `http.ServerResponse`, Express's `res` and Fastify's `reply.raw` fit. */
export interface NodeResponse {
  /** True once the status line went out. */
  readonly headersSent: boolean;
  /** Writes the status and headers. */
  writeHead(status: number, headers: Record<string, string>): unknown;
  /** Writes the body and ends the response. */
  end(body: string): unknown;
  /** Listens for the response's end. */
  once(event: "finish" | "close", listener: () => void): unknown;
}

/** An endpoint for Enable3's withdrawal callbacks, for fetch-style servers and for node:http ones. */
export interface WithdrawalReceiver {
  /**
   * Answers one delivery as a fetch handler: Next.js route handlers, Hono (`c.req.raw`), Bun.serve,
   * Deno.serve, Cloudflare Workers. Never rejects.
   */
  fetch(request: Request): Promise<Response>;
  /**
   * Answers one delivery on node:http (Express's req/res, Fastify's request.raw/reply.raw after
   * reply.hijack()). Resolves once answered; never rejects.
   */
  node(req: NodeRequest, res: NodeResponse): Promise<void>;
  /** Purges the store's marks older than `retentionMs` plus a day now (hourly anyway): how many went, undefined without `store.purge`. */
  purge(): Promise<number | undefined>;
  /** Stops the hourly purge and waits for one under way. Deliveries are still answered. */
  close(): Promise<void>;
  /**
   * Deliveries counted in memory by this process: totals since the receiver was made, and the last hour
   * per minute, by outcome (processed, duplicate, refused, failed) and by refusal and failure reason.
   * @example const { total } = receiver.stats(); console.log(total.refusals["signature-mismatch"] ?? 0);
   */
  stats(): ReceiverStats;
}

/** An answer, before an adapter writes it. `close` ends the connection (the body may still be arriving). */
interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
  close?: boolean;
}

const REFUSAL_STATUS: Record<RefusalReason, number> = {
  "method-not-allowed": 405,
  "body-too-large": 413,
  "body-timeout": 408,
  "body-aborted": 400,
  "missing-signature": 401,
  "malformed-signature": 401,
  "signature-mismatch": 401,
  "invalid-json": 400,
  "invalid-payload": 400,
  "too-old": 400,
};
const FAILURE_STATUS: Record<FailureReason, number> = {
  "handler-failed": 500,
  "store-failed": 503,
  "lease-lost": 503,
  "handler-timeout": 503,
  "body-consumed": 500,
};
/** What a 503 suggests to the sender: by then a running delivery has usually finished. */
const RETRY_AFTER_SECONDS = "5";

/**
 * Receives Enable3's withdrawal callbacks: reads the raw body (capped, with a timeout), verifies the
 * signature against each secret, parses the payload, and calls `onWithdrawal` once per transactionId,
 * whatever the number of deliveries, concurrent or repeated. Throws Enable3ValidationError for bad
 * settings (a missing secret), naming the field, never the value.
 * @example
 * const receiver = createWithdrawalReceiver({
 *   secrets: [process.env.ENABLE3_CALLBACK_SECRET!],
 *   store: postgresStore(pool), // durable: memoryStore() forgets what was paid when the process restarts
 *   async onWithdrawal(withdrawal, { transactionId }) {
 *     await payOut(withdrawal.userId, withdrawal.amount, transactionId);
 *   },
 * });
 * export const POST = (request: Request) => receiver.fetch(request); // or: app.post("/enable3/callback", receiver.node)
 */
export function createWithdrawalReceiver<Tx>(options: WithdrawalReceiverOptions<Tx>): WithdrawalReceiver {
  const settings = settingsOf(options);
  const { store, secrets, leaseMs, inFlightWaitMs, retentionMs } = settings;
  const limits: BodyLimits = { maxBytes: settings.maxBodyBytes, timeoutMs: settings.bodyTimeoutMs };
  const reporter = createReporter(options, options.logger === undefined ? console : options.logger, options.telemetry || undefined);
  const mismatch = mismatchLog(secrets.length, reporter.error);
  const purges = purgeSchedule(store, retentionMs, reporter.error);
  const history = createReceiverHistory();

  /** One delivery, from its method, signature and body to its answer; reports the outcome on the way. */
  async function deliver(method: string | undefined, signature: SignatureHeader, read: () => Promise<BodyRead>): Promise<Answer> {
    const started = performance.now();
    const report = (event: Outcome, answer: Answer): Answer => {
      const told = { ...event, status: answer.status, elapsedMs: performance.now() - started } as ReceiverEvent;
      history.heard(told);
      reporter.emit(told);
      return answer;
    };
    const refuse = (reason: RefusalReason, message: string, extra: Partial<Answer> = {}) =>
      report({ outcome: "refused", reason }, { status: REFUSAL_STATUS[reason], body: { error: reason, message }, ...extra });
    const fail = (reason: FailureReason, transactionId: string | undefined, error: unknown, extra: Record<string, unknown> = {}) =>
      report({ outcome: "failed", reason, transactionId, error }, failureAnswer(reason, { error: reason, transactionId, ...extra }));

    purges.start(); // armed by a delivery, never at start-up (a Worker may not arm timers there)
    if (method !== "POST") return refuse("method-not-allowed", "withdrawal callbacks are POSTed", { headers: { allow: "POST" } });
    const body = await read();
    if (!body.ok) {
      if (body.problem === "body-consumed") {
        return fail("body-consumed", undefined, new Enable3CallbackError("body-consumed", body.message), { message: body.message });
      }
      return refuse(body.problem, bodyProblem(body.problem, limits), { close: body.problem !== "body-aborted" });
    }
    let withdrawal: ParsedWithdrawalCallback;
    try {
      verifyOrThrow(body.bytes, signature, secrets);
      withdrawal = parseVerifiedBody(body.bytes);
    } catch (error) {
      if (!(error instanceof Enable3CallbackError)) throw error;
      if (error.reason === "signature-mismatch") mismatch();
      if (!isCheckReason(error.reason)) throw error; // the inputs were checked when the receiver was made
      return refuse(error.reason, error.message);
    }
    const old = tooOld(withdrawal, retentionMs, reporter.error);
    if (old) return refuse("too-old", old);

    const transactionId = withdrawal.transactionId;
    const processed = (duplicate: boolean): Answer => ({ status: 200, body: { status: "processed", transactionId, duplicate } });
    let claim: WithdrawalClaim<Tx> | "processed" | undefined;
    try {
      claim = await claimOrWait(transactionId, withdrawal.createdAtDate);
    } catch (error) {
      return fail("store-failed", transactionId, error);
    }
    if (claim === "processed") return report({ outcome: "duplicate", transactionId, reason: "already-processed" }, processed(true));
    if (claim === undefined) {
      const message = "another delivery of this transaction is being processed: retry later";
      return report(
        { outcome: "duplicate", transactionId, reason: "in-flight" },
        { status: 503, body: { error: "in-flight", transactionId, message }, headers: { "retry-after": RETRY_AFTER_SECONDS } },
      );
    }
    const outcome = await runUnderClaim(withdrawal, claim, settings);
    if (outcome === "processed") return report({ outcome: "processed", transactionId }, processed(false));
    return fail(outcome.reason, transactionId, outcome.error);
  }

  /**
   * This delivery's claim on the transaction; "processed" when it was processed before (or meanwhile);
   * undefined when another delivery still holds it after inFlightWaitMs.
   */
  async function claimOrWait(transactionId: string, createdAt: Date): Promise<WithdrawalClaim<Tx> | "processed" | undefined> {
    const waitUntil = performance.now() + inFlightWaitMs;
    let pollMs = 25;
    for (;;) {
      const found = await store.claim(transactionId, { leaseMs, createdAt });
      if (found.status === "claimed") return found.claim;
      if (found.status === "processed") return "processed";
      const left = waitUntil - performance.now();
      if (left <= 0) return undefined;
      await (store.waitFor ? store.waitFor(transactionId, left) : sleep(Math.min(pollMs, left)));
      pollMs = Math.min(pollMs * 2, 1000);
    }
  }

  /** A failure of the receiver itself (a bug): 500, so the sender retries, and a log line. */
  const unexpected = (error: unknown): Answer => {
    reporter.error(`a withdrawal callback failed inside the receiver (answered 500): ${String(error)}`);
    return { status: 500, body: { error: "unexpected" } };
  };

  return {
    async fetch(request) {
      const signature = request.headers.get(SIGNATURE_HEADER);
      const answer = await deliver(request.method, signature, () => readRequestBody(request, limits)).catch(unexpected);
      return new Response(JSON.stringify(answer.body), { status: answer.status, headers: headersOf(answer) });
    },
    async node(req, res) {
      const answer = await deliver(req.method, req.headers[SIGNATURE_HEADER], () => readNodeBody(req, limits)).catch(unexpected);
      writeNode(req, res, answer);
    },
    purge: purges.purge,
    close: purges.close,
    stats: history.stats,
  };
}

/** An event without the fields the receiver fills in for every outcome (Omit, distributed over the union). */
type Outcome = ReceiverEvent extends infer E ? (E extends unknown ? Omit<E, "status" | "elapsedMs"> : never) : never;

/** A 5xx: the sender must retry; a 503 says when. */
/** A check's reason: a refusal the receiver answers as such. */
function isCheckReason(reason: string): reason is CallbackCheckReason {
  return (CALLBACK_CHECK_REASONS as readonly string[]).includes(reason);
}

function failureAnswer(reason: FailureReason, body: Record<string, unknown>): Answer {
  const status = FAILURE_STATUS[reason];
  return status === 503 ? { status, body, headers: { "retry-after": RETRY_AFTER_SECONDS } } : { status, body };
}

function headersOf(answer: Answer): Record<string, string> {
  return { "content-type": "application/json", ...answer.headers, ...(answer.close && { connection: "close" }) };
}

/** Writes the answer, unless the client is gone or something else already answered. */
function writeNode(req: NodeRequest, res: NodeResponse, answer: Answer): void {
  if (res.headersSent) return;
  try {
    res.writeHead(answer.status, headersOf(answer));
    res.end(JSON.stringify(answer.body));
  } catch {
    return; // the socket is gone: nobody is left to answer
  }
  if (!answer.close) return;
  // the body may still be arriving: read on and discard it so the client can read the answer, then
  // close the connection after a grace period, whatever the client does
  req.resume();
  res.once("finish", () => {
    const timer = setTimeout(() => req.destroy(), 1000);
    (timer as { unref?: () => void }).unref?.();
    res.once("close", () => clearTimeout(timer));
  });
}

function bodyProblem(problem: "body-too-large" | "body-timeout" | "body-aborted", limits: BodyLimits): string {
  if (problem === "body-too-large") return `the body is over ${limits.maxBytes} bytes`;
  if (problem === "body-timeout") return `the body did not arrive within ${limits.timeoutMs} ms`;
  return "the connection closed before the body was complete";
}

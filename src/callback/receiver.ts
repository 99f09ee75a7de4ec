// The withdrawal receiver: one delivery at a time from raw bytes to an answer whose status makes the
// sender retry exactly when it should. 2xx only once the transaction is recorded as processed; 4xx
// for a delivery refused before anything ran (its signature, payload or upload); 5xx (retry) for the rest. A transaction runs under a store's
// claim, so concurrent and repeated deliveries run the handler once, and a failed run is released
// for the next delivery. The two adapters (fetch, node:http) only read the body and write the answer.

import { CALLBACK_CHECK_REASONS, type CallbackCheckReason } from "../errors/callback.js";
import { sleep } from "../internal/timers.js";
import type { Telemetry } from "../telemetry/opentelemetry.js";
import { type Answer, bodyProblem, failureAnswer, headersOf, REFUSAL_STATUS, RETRY_AFTER_SECONDS, writeNode } from "./answer.js";
import {
  createReporter,
  type FailureReason,
  type ReceiverEvent,
  type ReceiverHooks,
  type ReceiverLogger,
  type RefusalReason,
  type Reporter,
} from "./events.js";
import { runUnderClaim } from "./handler-run.js";
import { createReceiverHistory, type ReceiverStats } from "./history.js";
import { mismatchLog } from "./mismatch-log.js";
import { parseVerifiedBody, verifyOrThrow } from "./payload.js";
import { type BodyLimits, type BodyRead, type NodeRequest, readNodeBody, readRequestBody } from "./raw-body.js";
import { settingsOf } from "./receiver-settings.js";
import { type PurgeSchedule, purgeSchedule, tooOld } from "./retention.js";
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
  const limits: BodyLimits = { maxBytes: settings.maxBodyBytes, timeoutMs: settings.bodyTimeoutMs };
  const reporter = createReporter(options, options.logger === undefined ? console : options.logger, options.telemetry || undefined);
  const purges = purgeSchedule(settings.store, settings.retentionMs, reporter.error);
  const receiver: Receiver<Tx> = {
    settings,
    limits,
    reporter,
    purges,
    mismatch: mismatchLog(settings.secrets.length, reporter.error),
    history: createReceiverHistory(),
  };

  /** A failure of the receiver itself (a bug): 500, so the sender retries, and a log line. */
  const unexpected = (error: unknown): Answer => {
    reporter.error(`a withdrawal callback failed inside the receiver (answered 500): ${String(error)}`);
    return { status: 500, body: { error: "unexpected" } };
  };

  return {
    async fetch(request) {
      const signature = request.headers.get(SIGNATURE_HEADER);
      const answer = await deliver(receiver, request.method, signature, () => readRequestBody(request, limits)).catch(unexpected);
      return new Response(JSON.stringify(answer.body), { status: answer.status, headers: headersOf(answer) });
    },
    async node(req, res) {
      const read = () => readNodeBody(req, limits);
      const answer = await deliver(receiver, req.method, req.headers[SIGNATURE_HEADER], read).catch(unexpected);
      writeNode(req, res, answer);
    },
    purge: purges.purge,
    close: purges.close,
    stats: receiver.history.stats,
  };
}

/** What one receiver's deliveries share: its settings, and where outcomes are told and counted. */
interface Receiver<Tx> {
  settings: ReturnType<typeof settingsOf<Tx>>;
  limits: BodyLimits;
  reporter: Reporter;
  mismatch: () => void;
  purges: PurgeSchedule;
  history: ReturnType<typeof createReceiverHistory>;
}

/** One delivery, from its method, signature and body to its answer; reports the outcome on the way. */
async function deliver<Tx>(
  r: Receiver<Tx>,
  method: string | undefined,
  signature: SignatureHeader,
  read: () => Promise<BodyRead>,
): Promise<Answer> {
  const { secrets, retentionMs } = r.settings;
  const started = performance.now();
  const report = (event: Outcome, answer: Answer): Answer => {
    const told = { ...event, status: answer.status, elapsedMs: performance.now() - started } as ReceiverEvent;
    r.history.heard(told);
    r.reporter.emit(told);
    return answer;
  };
  const refuse = (reason: RefusalReason, message: string, extra: Partial<Answer> = {}) =>
    report({ outcome: "refused", reason }, { status: REFUSAL_STATUS[reason], body: { error: reason, message }, ...extra });
  const fail = (reason: FailureReason, transactionId: string | undefined, error: unknown, extra: Record<string, unknown> = {}) =>
    report({ outcome: "failed", reason, transactionId, error }, failureAnswer(reason, { error: reason, transactionId, ...extra }));

  r.purges.start(); // armed by a delivery, never at start-up (a Worker may not arm timers there)
  if (method !== "POST") return refuse("method-not-allowed", "withdrawal callbacks are POSTed", { headers: { allow: "POST" } });
  const body = await read();
  if (!body.ok) {
    if (body.problem === "body-consumed") {
      return fail("body-consumed", undefined, new Enable3CallbackError("body-consumed", body.message), { message: body.message });
    }
    return refuse(body.problem, bodyProblem(body.problem, r.limits), { close: body.problem !== "body-aborted" });
  }
  let withdrawal: ParsedWithdrawalCallback;
  try {
    verifyOrThrow(body.bytes, signature, secrets);
    withdrawal = parseVerifiedBody(body.bytes);
  } catch (error) {
    if (!(error instanceof Enable3CallbackError)) throw error;
    if (error.reason === "signature-mismatch") r.mismatch();
    if (!isCheckReason(error.reason)) throw error; // the inputs were checked when the receiver was made
    return refuse(error.reason, error.message);
  }
  const old = tooOld(withdrawal, retentionMs, r.reporter.error);
  if (old) return refuse("too-old", old);

  const transactionId = withdrawal.transactionId;
  const processed = (duplicate: boolean): Answer => ({ status: 200, body: { status: "processed", transactionId, duplicate } });
  let claim: WithdrawalClaim<Tx> | "processed" | undefined;
  try {
    claim = await claimOrWait(r.settings, transactionId, withdrawal.createdAtDate);
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
  const outcome = await runUnderClaim(withdrawal, claim, r.settings);
  if (outcome === "processed") return report({ outcome: "processed", transactionId }, processed(false));
  return fail(outcome.reason, transactionId, outcome.error);
}

/**
 * This delivery's claim on the transaction; "processed" when it was processed before (or meanwhile);
 * undefined when another delivery still holds it after inFlightWaitMs.
 */
async function claimOrWait<Tx>(
  { store, leaseMs, inFlightWaitMs }: Receiver<Tx>["settings"],
  transactionId: string,
  createdAt: Date,
): Promise<WithdrawalClaim<Tx> | "processed" | undefined> {
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

/** An event without the fields the receiver fills in for every outcome (Omit, distributed over the union). */
type Outcome = ReceiverEvent extends infer E ? (E extends unknown ? Omit<E, "status" | "elapsedMs"> : never) : never;

/** A check's reason: a refusal the receiver answers as such. */
function isCheckReason(reason: string): reason is CallbackCheckReason {
  return (CALLBACK_CHECK_REASONS as readonly string[]).includes(reason);
}

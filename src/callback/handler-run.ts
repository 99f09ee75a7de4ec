// One run of the operator's handler under a store's claim: the claim is renewed while it runs, and the
// run has a deadline (handlerTimeoutMs). A handler that never returns would otherwise hold its claim,
// its transaction and the row locks it took for the life of the process; past the deadline its signal
// aborts, its claim is abandoned (postgresStore ends the transaction's connection, so nothing the
// runaway handler sends later can commit), and the next delivery runs it.
import type { FailureReason } from "./events.js";
import { Enable3CallbackError, type ParsedWithdrawalCallback } from "./signature.js";
import type { WithdrawalClaim } from "./store.js";

/** What a run needs of the receiver's settings. */
export interface RunSettings<Tx> {
  onWithdrawal(withdrawal: ParsedWithdrawalCallback, context: { transactionId: string; tx: Tx; signal: AbortSignal }): unknown;
  leaseMs: number;
  handlerTimeoutMs: number;
}

/** How a run ended: recorded, or a failure the delivery is answered 5xx for. */
export type RunOutcome = "processed" | { reason: FailureReason; error: unknown };

/** Runs the handler under the claim, renewing it meanwhile, then records the transaction or releases it. */
export async function runUnderClaim<Tx>(
  withdrawal: ParsedWithdrawalCallback,
  claim: WithdrawalClaim<Tx>,
  settings: RunSettings<Tx>,
): Promise<RunOutcome> {
  const { transactionId } = withdrawal;
  const lost = () =>
    new Enable3CallbackError("lease-lost", `another delivery took transaction ${transactionId} over: this one's lease ran out`);
  const controller = new AbortController();
  const renewal = setInterval(() => {
    claim.renew().then(
      (held) => held || controller.abort(lost()),
      () => {}, // retried at the next tick: the lease may well still hold
    );
  }, settings.leaseMs / 3);
  let deadline: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<"timed-out">((resolve) => {
    deadline = setTimeout(() => resolve("timed-out"), settings.handlerTimeoutMs);
  });
  const stop = () => {
    clearInterval(renewal);
    clearTimeout(deadline);
  };
  const release = () => claim.release().catch(() => {}); // a hold not released runs out with its lease
  let ended: "returned" | "timed-out";
  try {
    const handled = (async () => {
      await settings.onWithdrawal(withdrawal, { transactionId, tx: claim.tx, signal: controller.signal });
      return "returned" as const;
    })();
    ended = await Promise.race([handled, timedOut]);
  } catch (error) {
    stop();
    await release();
    return { reason: "handler-failed", error };
  }
  stop();
  if (ended === "timed-out") {
    const error = new Enable3CallbackError(
      "handler-timeout",
      `onWithdrawal did not return within handlerTimeoutMs (${settings.handlerTimeoutMs} ms) for transaction ${transactionId}: its signal was aborted and its transaction rolled back, and the next delivery runs it again`,
    );
    controller.abort(error);
    // a store without abandon() is released: its handler may still be running, nothing of it is recorded
    await (claim.abandon ? claim.abandon() : claim.release()).catch(() => {});
    return { reason: "handler-timeout", error };
  }
  try {
    return (await claim.complete()) ? "processed" : { reason: "lease-lost", error: lost() };
  } catch (error) {
    await release();
    return { reason: "store-failed", error };
  }
}

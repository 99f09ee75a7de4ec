// What the withdrawal receiver tells the operator about each delivery: one typed event per outcome,
// handed to the hook for that outcome, and failures written to the logger. A hook or logger that
// throws changes nothing (the answer is already decided) and is reported once. No event, message or
// line carries a secret, a signature, a header or the body.
import type { CallbackCheckReason } from "../errors/callback.js";
import { hookFailureReporter, runHook } from "../internal/hook-guard.js";
import type { Telemetry } from "../telemetry/opentelemetry.js";
import type { Logger } from "../transport/log.js";

/** Why a delivery was refused (4xx): the sender should not send these bytes again. */
export type RefusalReason = "method-not-allowed" | "body-too-large" | "body-timeout" | "body-aborted" | CallbackCheckReason | "too-old";

/**
 * Why a delivery failed (5xx, so the sender retries): `onWithdrawal` threw (`handler-failed`) or did not
 * return within handlerTimeoutMs (`handler-timeout`), the
 * store could not answer or record (`store-failed`), another delivery took the transaction over while
 * this one ran (`lease-lost`), or a framework read the body first (`body-consumed`: fix the setting the
 * logged message names).
 */
export type FailureReason = "handler-failed" | "handler-timeout" | "store-failed" | "lease-lost" | "body-consumed";

/** Fields every event has. */
interface EventBase {
  /** The HTTP status the delivery was answered with. */
  status: number;
  /** Milliseconds from the delivery's arrival to its answer. */
  elapsedMs: number;
}

/** onWithdrawal ran and the transaction is recorded as processed: answered 200. */
export interface ProcessedEvent extends EventBase {
  /** Always `"processed"`. */
  outcome: "processed";
  /** The withdrawal's transactionId. */
  transactionId: string;
}

/**
 * A delivery of a transaction another delivery handles: processed before (`already-processed`,
 * answered 200, the handler not called), or still running after the wait (`in-flight`, answered 503).
 */
export interface DuplicateEvent extends EventBase {
  /** Always `"duplicate"`. */
  outcome: "duplicate";
  /** The withdrawal's transactionId. */
  transactionId: string;
  /** Processed before, or still being processed by another delivery. */
  reason: "already-processed" | "in-flight";
}

/** A delivery refused before anything was recorded: answered 4xx, the handler not called. */
export interface RefusedEvent extends EventBase {
  /** Always `"refused"`. */
  outcome: "refused";
  /** Why it was refused. */
  reason: RefusalReason;
}

/** A delivery that did not complete: answered 5xx, nothing recorded, so the next delivery runs it again. */
export interface FailedEvent extends EventBase {
  /** Always `"failed"`. */
  outcome: "failed";
  /** The transactionId, when the body was verified and read before the failure. */
  transactionId: string | undefined;
  /** What failed. */
  reason: FailureReason;
  /** What was thrown (by onWithdrawal or the store), or the receiver's own error for `lease-lost` and `body-consumed`. */
  error: unknown;
}

/** Any of the receiver's events. */
export type ReceiverEvent = ProcessedEvent | DuplicateEvent | RefusedEvent | FailedEvent;

/** The receiver's typed hooks, one per outcome. Each is called once per delivery, before the answer is sent. */
export interface ReceiverHooks {
  /** A withdrawal was paid (onWithdrawal ran) and recorded. */
  onProcessed?: ((event: ProcessedEvent) => void) | undefined;
  /** A duplicate delivery: already processed, or still in flight elsewhere. */
  onDuplicate?: ((event: DuplicateEvent) => void) | undefined;
  /** A delivery refused with a 4xx (bad signature, bad payload, body too large or too slow). */
  onRefused?: ((event: RefusedEvent) => void) | undefined;
  /** A delivery answered 5xx: the sender will retry it. */
  onFailed?: ((event: FailedEvent) => void) | undefined;
}

/** Where failures are written: anything console-compatible (only `error` and `warn` are used). */
export type ReceiverLogger = Pick<Logger, "error" | "warn">;

const HOOK_OF = {
  processed: "onProcessed",
  duplicate: "onDuplicate",
  refused: "onRefused",
  failed: "onFailed",
} as const satisfies Record<ReceiverEvent["outcome"], keyof ReceiverHooks>;

/** What the receiver reports through: `emit` an event to its hook (a failure also to the logger), or log an error line. */
export interface Reporter {
  emit(event: ReceiverEvent): void;
  error(line: string): void;
}

/** Hands each event to its hook and failures to the logger, never letting either throw. */
export function createReporter(hooks: ReceiverHooks, logger: ReceiverLogger | null, telemetry?: Telemetry): Reporter {
  const write = (level: "error" | "warn", line: string) => {
    try {
      logger?.[level](`[enable3] ${line}`);
    } catch {
      // a failing log sink must never change a delivery's outcome
    }
  };
  // through the logger when there is one; with logger: null, a process warning (a hook's failure is never silent)
  const hookFailed = hookFailureReporter("withdrawal receiver", logger ? (line) => write("warn", line) : undefined);
  const emit = (event: ReceiverEvent) => {
    if (event.outcome === "failed") write("error", failureLine(event));
    try {
      telemetry?.receiverDelivery?.({
        outcome: event.outcome,
        reason: "reason" in event ? event.reason : undefined,
        status: event.status,
        elapsedMs: event.elapsedMs,
      });
    } catch {
      // the app's metrics pipeline must never change a delivery's outcome
    }
    const name = HOOK_OF[event.outcome];
    const hook = hooks[name] as ((event: ReceiverEvent) => unknown) | undefined;
    // an async hook's rejection is caught too, never left unhandled
    if (hook) runHook(hook, [event], (error) => hookFailed(name, error));
  };
  return { emit, error: (line) => write("error", line) };
}

function failureLine(event: FailedEvent): string {
  const which = event.transactionId === undefined ? "a withdrawal callback" : `withdrawal ${event.transactionId}`;
  return `${which} failed (${event.reason}, answered ${event.status}): ${describe(event.error)}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

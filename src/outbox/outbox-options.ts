// The outbox's option checks, each before anything is stored: createOutbox's options resolved with
// their defaults (internal/defaults.ts), and each method's options (enqueue, flush, close, purge).
import type { Enable3Client } from "../client/create-client.js";
import { preparedSendsOf } from "../client/prepared-sends.js";
import { Enable3ValidationError } from "../errors/validation.js";
import { OUTBOX_DEFAULTS } from "../internal/defaults.js";
import { jsonValue } from "../internal/json-value.js";
import * as check from "../internal/validate.js";
import type { SqlClient } from "../postgres/sql-client.js";
import { installedOpenTelemetry } from "../telemetry/installed.js";
import { activeTraceparent } from "../telemetry/queue-trace.js";
import type { JsonValue, OutboxStore } from "./contract.js";
import {
  CLOSE_OPTION_KEYS,
  type CloseOptions,
  ENQUEUE_OPTION_KEYS,
  type EnqueueOptions,
  FLUSH_OPTION_KEYS,
  type FlushOptions,
  OUTBOX_OPTION_KEYS,
  type OutboxOptions,
  PURGE_OPTION_KEYS,
  type PurgeOptions,
} from "./outbox-types.js";

/** createOutbox's options, checked, with their defaults. */
export function resolveOutboxOptions(client: Enable3Client, options: OutboxOptions) {
  const o = check.plainObject(options, "options") as unknown as OutboxOptions;
  check.checkKnownKeys(o, OUTBOX_OPTION_KEYS, "options");
  const store = o.store;
  if (!store || typeof (store as Partial<OutboxStore>).open !== "function")
    throw new Enable3ValidationError("options.store", "must be a store: fileStore(dir) or postgresStore(pool)");
  const concurrency = check.numberIn(o.concurrency ?? OUTBOX_DEFAULTS.concurrency, "options.concurrency", 1, 1024, true);
  const policy = {
    // waits are timers: past 2^31-1 ms setTimeout fires at once
    initialDelayMs: check.numberIn(o.initialDelayMs ?? OUTBOX_DEFAULTS.initialDelayMs, "options.initialDelayMs", 0, check.MAX_TIMER_MS),
    maxDelayMs: check.numberIn(o.maxDelayMs ?? OUTBOX_DEFAULTS.maxDelayMs, "options.maxDelayMs", 0, check.MAX_TIMER_MS),
    retryForMs: check.numberIn(o.retryForMs ?? OUTBOX_DEFAULTS.retryForMs, "options.retryForMs", 0),
  };
  const deadRetentionMs =
    o.deadRetentionMs === Infinity
      ? Infinity
      : check.numberIn(o.deadRetentionMs ?? OUTBOX_DEFAULTS.deadRetentionMs, "options.deadRetentionMs", 0);
  const maxPending = o.maxPending === undefined ? Infinity : check.numberIn(o.maxPending, "options.maxPending", 1);
  check.hookOptions(o, ["onDelivered", "onRetry", "onDead", "onError", "takeDead", "deadLetter"], "options");
  check.telemetryOption(o.telemetry, "options.telemetry");
  preparedSendsOf(client); // a client made by createEnable3Client: checked before anything is stored
  // the enqueuing span's context, kept with each record (telemetry/queue-trace.ts): the given telemetry's, else an installed API's
  const installed = o.telemetry === undefined ? installedOpenTelemetry() : undefined;
  const traceOf =
    o.telemetry === false ? undefined : (o.telemetry?.activeTraceparent ?? (installed && (() => activeTraceparent(installed))));
  return { o, store, concurrency, policy, deadRetentionMs, maxPending, installed, traceOf };
}

/** An enqueue's options, checked (`keys`: those this method takes); `tx` only on a store that takes it. */
export function enqueueOptions(
  store: OutboxStore,
  value: EnqueueOptions | undefined,
  keys: readonly string[] = ENQUEUE_OPTION_KEYS,
): EnqueueOptions | undefined {
  if (value === undefined) return undefined;
  const e = check.plainObject(value, "options") as EnqueueOptions;
  check.checkKnownKeys(e, keys, "options");
  if (e.context !== undefined) e.context = jsonValue(e.context, "options.context") as JsonValue;
  if (e.orderingKey !== undefined) e.orderingKey = check.identifier(e.orderingKey, "options.orderingKey");
  if (e.tx !== undefined) {
    if (!store.transactional) throw new Enable3ValidationError("options.tx", `works with postgresStore only, not ${store.description}`);
    if (typeof (e.tx as Partial<SqlClient>).query !== "function")
      throw new Enable3ValidationError("options.tx", "must be a pg client inside an open transaction");
  }
  return e;
}

/** flush's options, checked: its time bound (if any) and the caller's signal. */
export function flushOptions(options: FlushOptions | undefined): { timeoutMs: number | undefined; signal: AbortSignal | undefined } {
  const f = options === undefined ? {} : (check.plainObject(options, "options") as FlushOptions);
  check.checkKnownKeys(f, FLUSH_OPTION_KEYS, "options");
  const timeoutMs = f.timeoutMs === undefined ? undefined : check.numberIn(f.timeoutMs, "options.timeoutMs", 0, check.MAX_TIMER_MS);
  return { timeoutMs, signal: f.signal };
}

/** close's options, checked: how long those in flight may take. */
export function closeTimeoutMs(options: CloseOptions | undefined): number {
  if (options !== undefined) check.checkKnownKeys(check.plainObject(options, "options"), CLOSE_OPTION_KEYS, "options");
  return check.numberIn(options?.timeoutMs ?? OUTBOX_DEFAULTS.closeTimeoutMs, "options.timeoutMs", 0, check.MAX_TIMER_MS);
}

/** purge's options, checked. */
export function purgeOptions(options: PurgeOptions): { olderThanMs: number; dryRun: boolean } {
  const p = check.plainObject(options, "options") as unknown as PurgeOptions;
  check.checkKnownKeys(p, PURGE_OPTION_KEYS, "options");
  const olderThanMs = check.numberIn(p.olderThanMs, "options.olderThanMs", 0);
  if (p.dryRun !== undefined && typeof p.dryRun !== "boolean") throw new Enable3ValidationError("options.dryRun", "must be a boolean");
  return { olderThanMs, dryRun: p.dryRun === true };
}

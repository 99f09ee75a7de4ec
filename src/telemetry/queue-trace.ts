// Trace context across the outbox's queue: the enqueuing span's W3C traceparent is read when a record
// is enqueued (kept with the record by its store), and when the record is delivered, perhaps by another
// process days later, the delivery's call span links to it. The delivery names the record's id here
// before the call starts; the call's span (opentelemetry.ts) finds it by the call's idempotency key.
import type { OpenTelemetryApi } from "./otel-api.js";

const TRACEPARENT = /^00-(?!0{32})([0-9a-f]{32})-(?!0{16})([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The active span's context as a W3C traceparent, or undefined outside a real trace. */
export function activeTraceparent(api: OpenTelemetryApi): string | undefined {
  const ids = api.trace.getSpan?.(api.context.active())?.spanContext?.();
  if (!ids?.spanId) return undefined;
  const value = `00-${ids.traceId}-${ids.spanId}-${((ids.traceFlags ?? 0) & 0xff).toString(16).padStart(2, "0")}`;
  return TRACEPARENT.test(value) ? value : undefined;
}

/** A span context as OpenTelemetry links take it, from a traceparent; undefined when it is not one. */
export function linkedContext(traceparent: string) {
  const m = TRACEPARENT.exec(traceparent);
  return m ? { traceId: m[1]!, spanId: m[2]!, traceFlags: Number.parseInt(m[3]!, 16), isRemote: true } : undefined;
}

// Calls about to start for queued records, by idempotency key: set by the outbox's delivery, read by
// the call's span, dropped once the record settles. Bounded by the records in flight.
const pendingLinks = new Map<string, string>();

/** The next call with this idempotency key links to `traceparent` (until {@link forgetQueueLink}). */
export function linkQueuedCall(idempotencyKey: string, traceparent: string | undefined): void {
  if (traceparent !== undefined) pendingLinks.set(idempotencyKey, traceparent);
}

export function forgetQueueLink(idempotencyKey: string): void {
  pendingLinks.delete(idempotencyKey);
}

/** The traceparent a call with this idempotency key links to, if a queued record named one. */
export function queueLinkOf(idempotencyKey: string | undefined): string | undefined {
  return idempotencyKey === undefined || pendingLinks.size === 0 ? undefined : pendingLinks.get(idempotencyKey);
}

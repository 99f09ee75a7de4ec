// The outbox's enqueue path: each input checked and made a record (its id fixed inside it) the way the
// client's own call would make its body, the enqueuing span's context kept with it, maxPending held,
// and the records stored durably before the call resolves.
import { eventBody, revenueBody, segmentsBody } from "../client/request-bodies.js";
import type { EventInput, RevenueInput, SegmentAssignments, SendEventResult, SendRevenueResult } from "../types/api.js";
import type { NewRecord, OutboxKind } from "./contract.js";
import { Enable3OutboxError } from "./errors.js";
import { type OutboxCore, sessionOf } from "./outbox-lifecycle.js";
import { enqueueOptions } from "./outbox-options.js";
import { type EnqueueOptions, SEGMENT_ENQUEUE_OPTION_KEYS, type SegmentEnqueueOptions, type SegmentEnqueueResult } from "./outbox-types.js";

export async function enqueueEvent(core: OutboxCore, event: EventInput, options: EnqueueOptions | undefined): Promise<SendEventResult> {
  const e = enqueueOptions(core.store, options);
  const body = eventBody(event);
  await add(core, [{ kind: "event", id: body.id, body, context: e?.context, orderingKey: e?.orderingKey }], e);
  return { id: body.id };
}

export async function enqueueRevenue(
  core: OutboxCore,
  revenue: RevenueInput,
  options: EnqueueOptions | undefined,
): Promise<SendRevenueResult> {
  const e = enqueueOptions(core.store, options);
  const body = revenueBody(revenue);
  await add(core, [{ kind: "revenue", id: body.requestId, body, context: e?.context, orderingKey: e?.orderingKey }], e);
  return { requestId: body.requestId };
}

/** One record per user, keyed by the user id: each user's changes are delivered in the order given. */
export async function enqueueSegments(
  core: OutboxCore,
  kind: Extract<OutboxKind, "assignSegments" | "removeSegments">,
  assignments: SegmentAssignments,
  options: SegmentEnqueueOptions | undefined,
): Promise<SegmentEnqueueResult> {
  const e = enqueueOptions(core.store, options, SEGMENT_ENQUEUE_OPTION_KEYS);
  const records = segmentsBody(assignments).map(
    (entry): NewRecord => ({ kind, id: crypto.randomUUID(), body: [{ ...entry }], context: e?.context, orderingKey: entry.userId }),
  );
  await add(core, records, e);
  return { ids: records.map((r) => r.id) };
}

async function add(core: OutboxCore, records: NewRecord[], options: EnqueueOptions | undefined): Promise<void> {
  const traceparent = core.settings.traceOf?.();
  if (traceparent !== undefined) for (const record of records) record.traceparent = traceparent;
  const s = await sessionOf(core);
  const { maxPending } = core.settings;
  if (s.counts().pending + core.reserved + records.length > maxPending)
    throw new Enable3OutboxError(
      "full",
      `the outbox on ${core.store.description} holds ${maxPending} pending records (maxPending): nothing was stored`,
    );
  core.reserved += records.length;
  try {
    await s.add(records, options?.tx);
  } finally {
    core.reserved -= records.length;
  }
}

// What the outbox reaches through a client besides its public API: each kind's one call, made with a
// body already checked (at enqueue) and settings resolved once for a whole run. Kept under a symbol
// that Enable3Client's type does not name, so the public API stays as it is.
import { Enable3ValidationError } from "../errors/validation.js";
import type { components } from "../generated/enable3.js";
import type { CallSettings } from "../transport/contract.js";
import type { SegmentAssignments } from "../types/api.js";
import type { Enable3Client } from "./client-api.js";
import type { RequestOptions } from "./options.js";

/** The key of a client's prepared sends (a registered symbol: one copy of the package reads another's). */
export const PREPARED_SENDS: unique symbol = Symbol.for("enable3-client.preparedSends.v1") as never;

/** Each kind's call on a prepared body: a kind added later is one more member. */
export interface PreparedSends {
  /** The client's per-call settings with `options` applied: checked once, then reused by many calls. */
  settings(options: RequestOptions | undefined): CallSettings;
  /** POSTs one event body as it is (no check, no copy). */
  event(body: components["schemas"]["AppEventDto"], settings: CallSettings): Promise<unknown>;
  /** POSTs one revenue body as it is. */
  revenue(body: components["schemas"]["RevenueDto"], settings: CallSettings): Promise<unknown>;
  /** POSTs one segment assignment body (a list of users' segment ids) as it is. */
  assignSegments(body: SegmentAssignments, settings: CallSettings): Promise<unknown>;
  /** DELETEs one segment assignment body as it is. */
  removeSegments(body: SegmentAssignments, settings: CallSettings): Promise<unknown>;
  /** Tells the client's telemetry how one item of a run settled (the bulk counters). */
  settled(operation: "sendEvent" | "sendRevenue", outcome: "delivered" | "failed" | "not_sent"): void;
}

/** A client's prepared sends; throws for an object that is not a client made by createEnable3Client. */
export function preparedSendsOf(client: Enable3Client): PreparedSends {
  const sends = (client as Partial<Record<typeof PREPARED_SENDS, PreparedSends>> | null | undefined)?.[PREPARED_SENDS];
  if (!sends) throw new Enable3ValidationError("client", "must be a client made by createEnable3Client (or the Node entry's)");
  return sends;
}

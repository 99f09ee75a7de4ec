// `enable3 import segments FILE`: each line `{ "op": "assign" | "remove", "userId", "segmentIds" }` goes
// to the same journal as events, as one user's segment change: the outbox delivers each user's
// changes in the order of the file (its ordering key is the user id), other users' at full speed.
// The import's run (import-run.ts) stays what it is: these are its two hooks for the segments kind.
import { Enable3ValidationError } from "../index.js";
import type { DeadRecord, EnqueueOptions, Outbox } from "../outbox.js";

/** A line of a segments import, as the file holds it. */
export interface SegmentLine {
  op: "assign" | "remove";
  userId: string;
  segmentIds: string[];
}

export const SEGMENTS_LINE_HELP = `  segments: {"op": "assign" | "remove", "userId": "u1", "segmentIds": ["vip"]}   (in order per user)`;

/** How a line of `kind` is enqueued: an event, a revenue report, or one user's segment change. */
export function enqueueFor(kind: string, outbox: Outbox): (item: unknown, options: EnqueueOptions) => Promise<unknown> {
  if (kind === "events") return (item, options) => outbox.enqueue(item as never, options);
  if (kind === "revenue") return (item, options) => outbox.enqueueRevenue(item as never, options);
  return (item, options) => enqueueSegmentLine(outbox, item, options);
}

async function enqueueSegmentLine(outbox: Outbox, item: unknown, options: EnqueueOptions): Promise<unknown> {
  const line = (typeof item === "object" && item !== null ? item : {}) as Partial<SegmentLine>;
  const { op } = line;
  if (op !== "assign" && op !== "remove")
    throw new Enable3ValidationError("line.op", `must be "assign" or "remove", got ${op === undefined ? "nothing" : JSON.stringify(op)}`);
  // the outbox checks the rest by the client's rule (userId, segmentIds)
  const entry = { userId: line.userId, segmentIds: line.segmentIds } as SegmentLine;
  const { context } = options;
  return op === "assign" ? outbox.assignSegments([entry], { context }) : outbox.removeSegments([entry], { context });
}

/** What a dead record's dead letter holds: a segment change as the line it came from (so the dead letters replay). */
export function lineOfDead(record: DeadRecord): unknown {
  if (record.kind !== "assignSegments" && record.kind !== "removeSegments") return record.body;
  const [entry] = record.body as { userId: string; segmentIds: string[] }[];
  return { op: record.kind === "assignSegments" ? "assign" : "remove", userId: entry?.userId, segmentIds: entry?.segmentIds };
}

// `enable3 import segments FILE`: each line `{ "op": "assign" | "remove", "userId", "segmentIds" }` goes
// to the same journal as events, as one user's segment change: the outbox delivers each user's
// changes in the order of the file (its ordering key is the user id), other users' at full speed.
// The import's run (import-run.ts) takes it as its record step; a dead record's letter is the line it came from.
import { type Enable3Error, Enable3ValidationError } from "../index.js";
import type { DeadRecord, EnqueueOptions, Outbox } from "../outbox.js";
import { placeOf, type RecordStep } from "./import-line.js";

/** A line of a segments import, as the file holds it. */
export interface SegmentLine {
  op: "assign" | "remove";
  userId: string;
  segmentIds: string[];
}

export const SEGMENTS_LINE_HELP = `  segments: {"op": "assign" | "remove", "userId": "u1", "segmentIds": ["vip"]}   (in order per user)`;

/** The record step of `import segments`: each line is one user's change, enqueued in file order. */
export function segmentsRecordStep(): RecordStep {
  return {
    take(run, entry) {
      const { at, line } = entry;
      const place = placeOf(entry);
      return enqueueSegmentLine(run.outbox, entry.record, { context: { line, at } }).then(
        () => run.accounted(place),
        (error: Enable3Error) => run.refused(error, { place, line, id: undefined, record: entry.record }),
      );
    },
  };
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

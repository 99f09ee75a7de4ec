// Sends segment-change records: each body (one user's `[{ userId, segmentIds }]`) through the
// client's assignSegments or removeSegments, up to `concurrency` at once, each outcome told to
// `onSettled` by its index, as the client's bulk senders tell theirs. The store hands out at most
// one record per user at a time (ordering keys), so nothing here can reorder one user's changes.
import type { Enable3Client } from "../client/create-client.js";
import type { Enable3Error } from "../errors/classes.js";
import type { SegmentAssignments } from "../types/api.js";

export type SegmentKind = "assignSegments" | "removeSegments";

export interface SegmentSendOptions {
  concurrency: number;
  signal: AbortSignal;
  onSettled: (item: { index: number; error?: Enable3Error | undefined }) => void;
}

/** Sends every body `bodies` yields, until it ends; resolves once each sent one has settled. */
export async function sendSegments(
  client: Enable3Client,
  kind: SegmentKind,
  bodies: AsyncIterable<unknown>,
  o: SegmentSendOptions,
): Promise<void> {
  const iterator = bodies[Symbol.asyncIterator]();
  let next = 0;
  const worker = async () => {
    for (;;) {
      const item = await iterator.next();
      if (item.done) return;
      const index = next++;
      try {
        await client[kind](asAssignments(item.value), { signal: o.signal });
        o.onSettled({ index });
      } catch (error) {
        o.onSettled({ index, error: error as Enable3Error });
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
}

/** A stored body is the list of one user (older writers may have kept the user's entry alone). */
function asAssignments(body: unknown): SegmentAssignments {
  return (Array.isArray(body) ? body : [body]) as SegmentAssignments;
}

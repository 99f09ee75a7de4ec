// The one way the SDK sends many prepared records: `concurrency` workers (the one limit), each taking
// the next record from its source, sending it with the kind's send function and telling how it
// settled, the record carried through. Nothing is checked here: records come prepared (bulk.ts checks
// the caller's input first; the outbox's bodies were checked at enqueue).
import type { Enable3Error } from "../errors/base.js";
import { asEnable3Error } from "../errors/messages.js";

/**
 * The next record to send: now, or later (a promise), or undefined when there are no more. Asked only
 * by a worker that is free, so a source that has nothing waits without holding a request slot.
 */
export type RecordSource<R> = () => R | undefined | Promise<R | undefined>;

/**
 * Sends one record as one request. Per kind: a record holding one body (an event) makes one request
 * of it; a record holding several (a batch of segment assignments) makes one request of them all.
 */
export type SendRecord<R> = (record: R) => Promise<unknown>;

/** Told once per record sent: `error` undefined when it was delivered. Must not throw. */
export type SettleRecord<R> = (record: R, error: Enable3Error | undefined) => void;

/**
 * Sends every record `next` hands out, at most `concurrency` at once; resolves once the source ended
 * and every record sent was settled.
 * @example
 * await sendRecords(() => queue.shift(), (body) => post(body), (body, error) => report(body, error), 16);
 */
export async function sendRecords<R>(
  next: RecordSource<R>,
  send: SendRecord<R>,
  settle: SettleRecord<R>,
  concurrency: number,
): Promise<void> {
  const worker = async (): Promise<void> => {
    for (;;) {
      let record = next();
      // a record at hand is sent without a promise in between
      if (record instanceof Promise) record = await record;
      if (record === undefined) return;
      let error: Enable3Error | undefined;
      try {
        await send(record);
      } catch (cause) {
        error = asEnable3Error(cause);
      }
      settle(record, error);
    }
  };
  const workers: Promise<void>[] = [];
  for (let i = 0; i < concurrency; i++) workers.push(worker());
  await Promise.all(workers);
}

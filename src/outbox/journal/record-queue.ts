// The records a fileStore holds in memory for delivery: fresh ones in journal order, those whose
// backoff is over, and those waiting it out. Waits run on the monotonic clock (a step of the wall
// clock neither stretches nor cuts one); a retry mark read back after a restart waits at most
// `maxDelayMs`, however far ahead its wall-clock time is. Past `maxRetrying` waiting records, one is
// spilled: only its retry mark on disk keeps it, reading goes on past it (fresh records are never held
// back), and a later pass over the journal takes it back once there is room or it is due.
// Records that share an ordering key form a line (ordering.ts): only its head is fresh, due, waiting
// or handed out; the next one takes its place once it is delivered or dead. Heads are never spilled.
import type { StoredRecord } from "../contract.js";
import { TimeHeap } from "./heap.js";
import { OrderingLines } from "./ordering.js";

export class RecordQueue {
  /** Every record held here, by key (fresh, due, waiting, or handed out and not settled). */
  readonly records = new Map<string, StoredRecord>();
  private readonly fresh: StoredRecord[] = [];
  private readonly due: StoredRecord[] = [];
  private readonly waiting = new TimeHeap<StoredRecord>();
  private spill = { any: false, earliest: Infinity };
  /** Records of each ordering key in journal order; those behind a line's head wait here only. */
  readonly lines = new OrderingLines();
  /** When a line's record behind its head gets its turn: its retry mark's time, 0 when it has none. */
  private readonly marks = new Map<string, number>();

  constructor(private readonly o: { maxRetrying: number; maxDelayMs: number }) {}

  /** A record read from the journal; `notBefore` is its retry mark's wall-clock time, 0 when it has none. */
  fromJournal(record: StoredRecord, notBefore: number): void {
    if (this.records.has(record.key)) return; // taken back by a pass over the journal already
    if (record.orderingKey !== undefined && !this.lines.add(record)) {
      this.records.set(record.key, record); // behind its line's head: its turn comes when the head settles
      if (notBefore > 0) this.marks.set(record.key, notBefore);
      return;
    }
    this.fromMark(record, notBefore);
  }

  /**
   * A record delivered or dead: forgotten, and the next record of its line, if any, takes its turn.
   * Returns the record's ordering key when a record behind it was released.
   */
  settled(key: string): string | undefined {
    const record = this.records.get(key);
    this.records.delete(key);
    if (record?.orderingKey === undefined) return undefined;
    const next = this.lines.settled(record);
    if (!next) return undefined;
    const notBefore = this.marks.get(next.key) ?? 0;
    this.marks.delete(next.key);
    this.records.delete(next.key);
    this.fromMark(next, notBefore);
    return record.orderingKey;
  }

  /** Records held back behind the head of their line. */
  get heldBack(): number {
    return this.lines.behind;
  }

  private fromMark(record: StoredRecord, notBefore: number): void {
    if (notBefore === 0) this.hold(record, 0, false);
    else this.hold(record, Math.min(Math.max(0, notBefore - Date.now()), this.o.maxDelayMs), true);
  }

  /** A record to try again after `delayMs`. */
  retryAfter(record: StoredRecord, delayMs: number): void {
    this.records.delete(record.key);
    this.hold(record, delayMs, true);
  }

  /** A record handed out and not attempted: first in line again. */
  release(record: StoredRecord): void {
    this.fresh.unshift(record);
  }

  get freshCount(): number {
    return this.fresh.length;
  }
  get dueCount(): number {
    return this.due.length;
  }

  /** Up to `limit` records to deliver now: fresh and due ones in turn, so neither kind holds the other back. */
  take(limit: number): StoredRecord[] {
    const now = performance.now();
    for (let r = this.waiting.popDue(now); r; r = this.waiting.popDue(now)) this.due.push(r);
    const out: StoredRecord[] = [];
    while (out.length < limit && (this.fresh.length > 0 || this.due.length > 0)) {
      const a = this.fresh.shift();
      if (a) out.push(a);
      const b = out.length < limit ? this.due.shift() : undefined;
      if (b) out.push(b);
    }
    return out;
  }

  /** True (once) when spilled records should be taken back by a pass over the journal now. */
  startRescan(): boolean {
    if (!this.spill.any) return false;
    if (this.waiting.size >= this.o.maxRetrying / 2 && performance.now() < this.spill.earliest) return false;
    this.spill = { any: false, earliest: Infinity };
    return true;
  }

  /** How long until the soonest wait ends, ms; undefined when nothing waits. */
  nextWakeIn(): number | undefined {
    const at = Math.min(this.waiting.peek() ?? Infinity, this.spill.earliest);
    return at === Infinity ? undefined : Math.max(0, at - performance.now());
  }

  private hold(record: StoredRecord, waitMs: number, retrying: boolean): void {
    if (this.records.has(record.key)) return; // taken back by a pass over the journal already
    const at = performance.now() + waitMs;
    // a line's head is never spilled: the records behind it would have no place to wait
    if (waitMs > 0 && this.waiting.size >= this.o.maxRetrying && record.orderingKey === undefined) {
      this.spill = { any: true, earliest: Math.min(this.spill.earliest, at) };
      return;
    }
    this.records.set(record.key, record);
    if (waitMs > 0) this.waiting.push(at, record);
    else (retrying ? this.due : this.fresh).push(record);
  }
}

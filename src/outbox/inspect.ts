// inspectOutbox(store): an outbox's store seen from outside, by an operator's tool (`enable3 outbox`)
// while another process delivers from it: counts, paused or not and why, delivered in the last hour
// (as the running outboxes publish them), and the dead records with filters, all read without opening
// the store for delivery (a fileStore's lock is not taken). Replay and purge do open it: a fileStore
// held by a running outbox refuses them (Enable3OutboxError "locked", naming the holder).

import { Enable3ValidationError } from "../errors/validation.js";
import { optionKeys } from "../internal/option-keys.js";
import * as check from "../internal/validate.js";
import type { DeadFilter, DeadRecord, HeldBackKey, OutboxKind, OutboxStore, PublishedStatus, StoreSession } from "./contract.js";
import { purgeOptions } from "./outbox-options.js";
import type { PurgeOptions, PurgeResult, ReplayResult } from "./outbox-types.js";

/** How an outbox's store stands, read from outside: what {@link OutboxInspection.status} resolves to. */
export interface OutboxReport {
  /** The store, e.g. `fileStore(./enable3-outbox)`. */
  store: string;
  /** Records waiting to be sent (those in flight not counted). */
  pending: number;
  /** Records being sent now: a postgresStore's rows under a live lease; a fileStore's running outbox's requests. */
  inFlight: number;
  /** Records given up on, kept until replayed or purged. */
  dead: number;
  /** How long the oldest pending record has waited, ms (0 when none). */
  oldestPendingMs: number;
  /** True when a running outbox reports delivery paused (the API refuses this server's key or IP). */
  paused: boolean;
  /** Why: the API's refusal, as the paused outbox published it. */
  pausedBecause?: string | undefined;
  /** Records delivered in the last hour by the outboxes that published their status; undefined when none did. */
  deliveredLastHour?: number | undefined;
  /** The outboxes that published their status (a fileStore's holder, or each postgresStore worker heard from in the last hour). */
  workers: PublishedStatus[];
  /** Pending records of each kind: events, revenue, segment changes (`assignSegments`, `removeSegments`). */
  pendingByKind: Partial<Record<OutboxKind, number>>;
  /** Ordering keys (users, for segment changes) whose later records wait behind their first pending one, longest first (at most 20). */
  heldBack: HeldBackKey[];
}

/** Which dead records {@link OutboxInspection.replay} queues again. */
export interface ReplaySelection {
  /** These ids. */
  ids?: readonly string[] | undefined;
  /** Those the API refused with this HTTP status. */
  status?: number | undefined;
  /** Every dead record. */
  all?: boolean | undefined;
}

const REPLAY_SELECTION_KEYS = optionKeys<ReplaySelection>()(["ids", "status", "all"]);
const DEAD_FILTER_KEYS = optionKeys<DeadFilter>()(["reason", "status", "diedBefore", "diedAfter"]);

/** An outbox's store seen from outside: see {@link inspectOutbox}. */
export interface OutboxInspection {
  /** Counts and state, read without taking the store. */
  status(): Promise<OutboxReport>;
  /** The dead records that pass `filter`, streamed, read without taking the store. */
  dead(filter?: DeadFilter): AsyncIterable<DeadRecord>;
  /** Queues dead records again under the same ids; opens the store (a fileStore held by a running outbox refuses: "locked"). */
  replay(selection: ReplaySelection): Promise<ReplayResult>;
  /** Removes (or with `dryRun` counts) dead records that died more than `olderThanMs` ago; opens the store like replay. */
  purge(options: PurgeOptions): Promise<PurgeResult>;
}

/**
 * Reads an outbox's store from outside, while an outbox in another process may be delivering from it:
 * `status()` and `dead()` never take the store (a fileStore's lock stays with its holder); `replay()`
 * and `purge()` open it for the call. What `enable3 outbox` is made of.
 * @example
 * import { fileStore, inspectOutbox } from "enable3-client/outbox";
 * const inspection = inspectOutbox(fileStore("./enable3-outbox"));
 * const { pending, dead, paused, oldestPendingMs } = await inspection.status();
 * for await (const record of inspection.dead({ status: 422 })) console.log(record.id, record.error.message);
 */
export function inspectOutbox(store: OutboxStore, options: { onError?: ((error: Error) => void) | undefined } = {}): OutboxInspection {
  if (!store || typeof store.inspect !== "function")
    throw new Enable3ValidationError("store", "must be fileStore(dir) or postgresStore(pool): this store cannot be read from outside");
  const o = check.plainObject(options, "options") as { onError?: ((error: Error) => void) | undefined };
  check.checkKnownKeys(o, ["onError"], "options");
  if (o.onError !== undefined && typeof o.onError !== "function") throw new Enable3ValidationError("options.onError", "must be a function");
  const onError = o.onError ?? (() => {});
  const withSession = async <T>(work: (session: StoreSession) => Promise<T>): Promise<T> => {
    const session = await store.open({ onError });
    try {
      return await work(session);
    } finally {
      await session.close();
    }
  };
  return {
    async status() {
      const inspector = store.inspect!();
      try {
        const counts = await inspector.counts();
        const live = counts.workers.filter((w) => w.state !== "closed");
        const paused = live.find((w) => w.state === "paused");
        return {
          store: store.description,
          pending: Math.max(0, counts.pending - counts.inFlight),
          inFlight: counts.inFlight,
          dead: counts.dead,
          oldestPendingMs: counts.oldestPendingMs,
          paused: paused !== undefined,
          ...(paused?.problem ? { pausedBecause: paused.problem } : {}),
          ...(counts.workers.length > 0 ? { deliveredLastHour: counts.workers.reduce((n, w) => n + w.deliveredLastHour, 0) } : {}),
          workers: counts.workers,
          pendingByKind: counts.pendingByKind,
          heldBack: counts.heldBack,
        };
      } finally {
        await inspector.close();
      }
    },
    dead(filter = {}) {
      check.checkKnownKeys(check.plainObject(filter, "filter"), DEAD_FILTER_KEYS, "filter");
      return {
        async *[Symbol.asyncIterator]() {
          const inspector = store.inspect!();
          try {
            yield* inspector.dead(filter);
          } finally {
            await inspector.close();
          }
        },
      };
    },
    async replay(selection) {
      const s = check.plainObject(selection, "selection") as ReplaySelection;
      check.checkKnownKeys(s, REPLAY_SELECTION_KEYS, "selection");
      const given = [s.ids !== undefined, s.status !== undefined, s.all === true].filter(Boolean).length;
      if (given !== 1) throw new Enable3ValidationError("selection", "give exactly one of ids, status or all: true");
      let ids = s.ids === undefined ? undefined : check.stringArray(s.ids, "selection.ids", { nonEmpty: true });
      if (s.status !== undefined) {
        const status = check.numberIn(s.status, "selection.status", 100, 599, true);
        ids = [];
        for await (const record of this.dead({ status })) ids.push(record.id);
        if (ids.length === 0) return { replayed: 0 };
      }
      const chosen = ids;
      return withSession(async (session) => ({ replayed: await session.replay(chosen) }));
    },
    async purge(options) {
      const { olderThanMs, dryRun } = purgeOptions(options);
      return withSession(async (session) => ({ purged: await session.purgeDead(olderThanMs, dryRun) }));
    },
  };
}

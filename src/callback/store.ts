import { waitFor } from "../internal/timers.js";

// Where the receiver records which withdrawals it has processed: the contract every store keeps, and
// the in-memory store for one process. The receiver owns the policy (when to wait, retry, answer);
// a store only answers "claimed, processed or processing" and records the outcome, so another store
// (Redis, DynamoDB…) is a page of I/O.

/**
 * What {@link WithdrawalStore.claim} found: this delivery now holds the transaction (`claimed`), it
 * was processed before (`processed`), or another delivery holds it right now (`processing`).
 */
export type ClaimResult<Tx> =
  | {
      /** This delivery holds the transaction now. */
      status: "claimed";
      /** The hold: run the handler, then complete or release it. */
      claim: WithdrawalClaim<Tx>;
    }
  | {
      /** Processed before: answer the duplicate without running the handler. */
      status: "processed";
    }
  | {
      /** Another delivery holds a live lease on it right now. */
      status: "processing";
    };

/**
 * One delivery's hold on a transaction, from {@link WithdrawalStore.claim} until `complete` or
 * `release`. A hold is a lease: a process that dies stops renewing it, and once it runs out another
 * delivery may claim the transaction.
 */
export interface WithdrawalClaim<Tx> {
  /**
   * Handed to `onWithdrawal` as `tx`: what lets the operator's own writes commit together with the
   * processed mark (postgresStore: a client inside the transaction `complete` commits). `undefined`
   * for stores that have no transactions.
   */
  readonly tx: Tx;
  /** Extends the lease by `leaseMs` from now; resolves false when it was lost (another delivery took over). */
  renew(): Promise<boolean>;
  /**
   * Records the transaction as processed, durably, and ends the hold. Resolves false, recording
   * nothing, when the lease was lost meanwhile (another delivery may be running it).
   */
  complete(): Promise<boolean>;
  /** Ends the hold without recording anything (the handler failed): the next delivery runs it again. */
  release(): Promise<void>;
  /**
   * Optional: ends the hold of a handler that ran past its deadline and may still be running. Nothing of
   * `tx` may commit, and `tx` must never be handed to anyone else (postgresStore closes its connection).
   * Without it the receiver calls `release`.
   */
  abandon?(): Promise<void>;
}

/** What the receiver tells {@link WithdrawalStore.claim} beside the transactionId. */
export interface ClaimOptions {
  /** How long the claim lasts unless renewed. */
  leaseMs: number;
  /**
   * The callback's `createdAt`. Keep the transaction's mark at least until this date plus the
   * receiver's `retentionMs` (and a margin): until then a redelivery is accepted, and only its mark
   * tells it from a new withdrawal.
   */
  createdAt: Date;
}

/**
 * The contract between the withdrawal receiver and a store of processed transactions. memoryStore()
 * and postgresStore(pool) keep it; implement it to keep them elsewhere. A Redis sketch:
 *
 * @example
 * const redisStore = (redis) => ({
 *   async claim(transactionId, { leaseMs }) {
 *     const key = `enable3:withdrawal:${transactionId}`;
 *     const owner = crypto.randomUUID();
 *     if (await redis.set(key, `processing:${owner}`, { NX: true, PX: leaseMs })) {
 *       // each step below checks that the key still holds this owner's lease (a Lua script makes it atomic)
 *       const ifMine = (then) => redis.eval(`if redis.call("GET", KEYS[1]) == ARGV[1] then ${then} return 1 end return 0`,
 *         { keys: [key], arguments: [`processing:${owner}`, String(leaseMs)] });
 *       return { status: "claimed", claim: {
 *         tx: undefined,
 *         renew: async () => (await ifMine(`redis.call("PEXPIRE", KEYS[1], ARGV[2])`)) === 1,
 *         complete: async () => (await ifMine(`redis.call("SET", KEYS[1], "processed")`)) === 1,
 *         release: async () => void (await ifMine(`redis.call("DEL", KEYS[1])`)),
 *       } };
 *     }
 *     return (await redis.get(key)) === "processed" ? { status: "processed" } : { status: "processing" };
 *   },
 * });
 */
export interface WithdrawalStore<Tx = undefined> {
  /**
   * Takes `transactionId` for this delivery unless it was processed or another delivery holds a live
   * lease on it. Must be atomic: of any number of concurrent claims, across every process sharing the
   * store, at most one is `claimed`.
   */
  claim(transactionId: string, options: ClaimOptions): Promise<ClaimResult<Tx>>;
  /**
   * Optional: resolves when `transactionId`'s hold may have ended, or after `ms` at the latest. Without
   * it the receiver polls `claim` while a duplicate waits for the first delivery.
   */
  waitFor?(transactionId: string, ms: number): Promise<void>;
  /**
   * Optional: removes the marks of transactions whose `createdAt` and first delivery are both before
   * `before`, and resolves how many it removed. The receiver calls it on a schedule with
   * `before` = now − retentionMs − a margin (a store without it keeps its marks for ever, or expires
   * them itself no earlier than that). Never removes a mark a live lease holds.
   */
  purge?(options: { before: Date }): Promise<number>;
}

/**
 * Processed transactions in this process's memory: for tests and one-process development, never for
 * real money. A restart forgets every mark, so a withdrawal paid before the restart is paid again when
 * Enable3 redelivers it (a delivery answered late, or a replay within `retentionMs`); a second process
 * does not see the first one's marks. Use postgresStore (or your own {@link WithdrawalStore}) in
 * production. Its marks are purged with the receiver's retention rule, so it holds only the
 * withdrawals of the last `retentionMs`; its holds never expire: they end when
 * the handler settles.
 * @example
 * const receiver = createWithdrawalReceiver({ secrets: [secret], store: memoryStore(), onWithdrawal: payOut }); // tests only
 */
export function memoryStore(): WithdrawalStore<undefined> {
  /** Each processed transaction, with when its mark may go: the later of its createdAt and its arrival. */
  const processed = new Map<string, number>();
  /** The transactions held now, each with what its waiters wait on. */
  const held = new Map<string, { ended: Promise<void>; end: () => void }>();

  const hold = (transactionId: string, keepUntil: number): WithdrawalClaim<undefined> => {
    let end = () => {};
    const ended = new Promise<void>((resolve) => {
      end = resolve;
    });
    const entry = { ended, end };
    held.set(transactionId, entry);
    let open = true;
    const finish = (done: boolean) => {
      if (!open) return false;
      open = false;
      if (done) processed.set(transactionId, keepUntil);
      held.delete(transactionId);
      entry.end();
      return true;
    };
    return {
      tx: undefined,
      renew: async () => open,
      complete: async () => finish(true),
      release: async () => void finish(false),
    };
  };

  return {
    async claim(transactionId, { createdAt }) {
      if (processed.has(transactionId)) return { status: "processed" };
      if (held.has(transactionId)) return { status: "processing" };
      return { status: "claimed", claim: hold(transactionId, Math.max(createdAt?.getTime() || 0, Date.now())) };
    },
    async purge({ before }) {
      let removed = 0;
      for (const [transactionId, keepUntil] of processed) {
        if (keepUntil < before.getTime()) {
          processed.delete(transactionId);
          removed++;
        }
      }
      return removed;
    },
    waitFor(transactionId, ms) {
      const entry = held.get(transactionId);
      if (!entry) return Promise.resolve();
      return waitFor(entry.ended, undefined, ms);
    },
  };
}

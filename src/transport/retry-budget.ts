// A retry budget shared by every call of one client, after the AWS SDK's "standard" retry mode:
// retries spend tokens, successes refill them, so an outage cannot turn into a retry storm.

import { RETRY_BUDGET_DEFAULTS } from "../internal/defaults.js";

/** The retry budget shared by a client's calls (see ClientOptions.retryBudget). */
export interface RetryBudgetOptions {
  /** Tokens in a full bucket. @default 500 */
  capacity?: number | undefined;
  /** Tokens one retry spends. @default 5 */
  retryCost?: number | undefined;
  /** Tokens a retry after a timeout spends (timeouts are costlier to wait out). @default 10 */
  timeoutRetryCost?: number | undefined;
  /** Tokens a success with no retry puts back. @default 1 */
  successRefill?: number | undefined;
}

export class RetryBudget {
  readonly capacity: number;
  private readonly retryCost: number;
  private readonly timeoutRetryCost: number;
  private readonly successRefill: number;
  private tokens: number;

  constructor(options: RetryBudgetOptions = {}) {
    const defaults = RETRY_BUDGET_DEFAULTS;
    this.capacity = options.capacity ?? defaults.capacity;
    this.retryCost = options.retryCost ?? defaults.retryCost;
    this.timeoutRetryCost = options.timeoutRetryCost ?? defaults.timeoutRetryCost;
    this.successRefill = options.successRefill ?? defaults.successRefill;
    this.tokens = this.capacity;
  }

  get available(): number {
    return this.tokens;
  }

  /** Takes the cost of one retry; returns the tokens taken, or `undefined` when the bucket is short. */
  acquire(afterTimeout: boolean): number | undefined {
    const cost = afterTimeout ? this.timeoutRetryCost : this.retryCost;
    if (this.tokens < cost) return undefined;
    this.tokens -= cost;
    return cost;
  }

  /** A call succeeded: give back what its retries spent, or the small refill when it had none. */
  release(spent: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + (spent > 0 ? spent : this.successRefill));
  }
}

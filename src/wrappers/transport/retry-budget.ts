// A retry budget shared by every call of one client, after the AWS SDK's "standard" retry mode:
// retries spend tokens, successes refill them, so an outage cannot turn into a retry storm.

export interface RetryBudgetOptions {
  /** Tokens in a full bucket. Default 500. */
  capacity?: number;
  /** Tokens one retry spends. Default 5. */
  retryCost?: number;
  /** Tokens a retry after a timeout spends (timeouts are costlier to wait out). Default 10. */
  timeoutRetryCost?: number;
  /** Tokens a success with no retry puts back. Default 1. */
  successRefill?: number;
}

export class RetryBudget {
  readonly capacity: number;
  private readonly retryCost: number;
  private readonly timeoutRetryCost: number;
  private readonly successRefill: number;
  private tokens: number;

  constructor(options: RetryBudgetOptions = {}) {
    this.capacity = options.capacity ?? 500;
    this.retryCost = options.retryCost ?? 5;
    this.timeoutRetryCost = options.timeoutRetryCost ?? 10;
    this.successRefill = options.successRefill ?? 1;
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

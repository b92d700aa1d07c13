/** Options of a {@link RetryBudget}. */
export interface RetryBudgetOptions {
  /** Retries allowed per call made, as a fraction. Default 0.2 (20 %). */
  ratio?: number;
  /** Retries allowed per second whatever the traffic, so quiet clients can retry too. Default 10. */
  minRetriesPerSecond?: number;
  /** Most retries that can be saved up for a burst. Default 100. */
  maxBalance?: number;
  /** Clock in epoch ms; for tests. Default `Date.now`. */
  now?: () => number;
}

export const retryBudgetDefaults = {
  ratio: 0.2,
  minRetriesPerSecond: 10,
  maxBalance: 100,
} as const;

/**
 * A token bucket bounding retries to a share of calls, as Finagle's
 * `RetryBudget` and gRPC's retry throttling do: every call deposits `ratio`
 * of a token, time deposits `minRetriesPerSecond`, every retry withdraws one.
 * When a whole service fails, clients then add at most `ratio` more load
 * instead of multiplying it by the number of attempts (a retry storm).
 * Refilled lazily on use: no timer.
 */
export class RetryBudget {
  readonly ratio: number;
  readonly minRetriesPerSecond: number;
  readonly maxBalance: number;
  private readonly now: () => number;
  private tokens: number;
  private refilledAt: number;

  constructor(options: RetryBudgetOptions = {}) {
    this.ratio = nonNegative("ratio", options.ratio ?? retryBudgetDefaults.ratio);
    this.minRetriesPerSecond = nonNegative(
      "minRetriesPerSecond",
      options.minRetriesPerSecond ?? retryBudgetDefaults.minRetriesPerSecond,
    );
    this.maxBalance = nonNegative(
      "maxBalance",
      options.maxBalance ?? retryBudgetDefaults.maxBalance,
    );
    this.now = options.now ?? Date.now;
    this.refilledAt = this.now();
    // One second's worth of the floor: a client can retry from its first call.
    this.tokens = Math.min(this.maxBalance, this.minRetriesPerSecond);
  }

  /** A call was made. */
  deposit(): void {
    this.tokens = Math.min(this.maxBalance, this.tokens + this.ratio);
  }

  /** Takes one retry from the budget; false when it is spent. */
  tryWithdraw(): boolean {
    this.refill();
    // Tolerance for the float sum of fractional deposits (0.2 * 5 is 0.99...).
    if (this.tokens < 1 - 1e-9) return false;
    this.tokens -= 1;
    return true;
  }

  /** Retries available now. */
  get balance(): number {
    this.refill();
    return this.tokens;
  }

  private refill(): void {
    const now = this.now();
    const elapsed = now - this.refilledAt;
    if (elapsed <= 0) return;
    this.refilledAt = now;
    this.tokens = Math.min(
      this.maxBalance,
      this.tokens + (elapsed / 1000) * this.minRetriesPerSecond,
    );
  }
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`retry budget: ${name} must be a finite number >= 0, got ${value}`);
  }
  return value;
}

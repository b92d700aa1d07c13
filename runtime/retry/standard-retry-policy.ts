import type { RetryContext, RetryPolicy } from "../client/retry-policy.js";
import { Code } from "../errors/code.js";
import { fullJitterBackoff } from "./backoff.js";
import { RetryBudget, type RetryBudgetOptions } from "./retry-budget.js";

/** Options of {@link StandardRetryPolicy}. */
export interface StandardRetryOptions {
  /** Attempts of one call, the first included. Default 3. */
  maxAttempts?: number;
  /** Backoff window of the first retry, in ms; doubles with each retry. Default 50. */
  baseBackoffMs?: number;
  /** Largest backoff window, in ms. Default 1 000. */
  maxBackoffMs?: number;
  /**
   * Codes retried for idempotent methods, when the server may have run the
   * call. Default `Unavailable` and `ResourceExhausted`.
   */
  retryableCodes?: readonly Code[];
  /** The budget shared by every call of this policy; pass one to share it across clients. */
  budget?: RetryBudget | RetryBudgetOptions;
  /** Uniform random numbers in [0, 1); for tests. Default `Math.random`. */
  random?: () => number;
}

export const retryDefaults = {
  maxAttempts: 3,
  baseBackoffMs: 50,
  maxBackoffMs: 1_000,
  retryableCodes: [Code.Unavailable, Code.ResourceExhausted] as readonly Code[],
} as const;

/**
 * The retry rules of protonats, and the default of every client:
 *
 * - A call that certainly never reached a server (`Unavailable` and
 *   undelivered: no responders, the node's subscription is gone) is always
 *   retried, on another node when there is one, at once the first time, like
 *   gRPC's transparent retries. These retries do not draw on the budget: they
 *   put no load on any server.
 * - A call the server may have run is retried only when its method is marked
 *   idempotent (`(protonats.v1.method).idempotent` or `idempotency_level`)
 *   and its code is retryable (`Unavailable`, `ResourceExhausted` by default:
 *   a node stopping or refusing past its concurrency limit, where another node
 *   may succeed), and only while the budget allows.
 * - Never retried: `DeadlineExceeded` and `Canceled` (the caller's budget or
 *   wish is spent; the client refuses them anyway), other codes (a
 *   deterministic answer would repeat), undelivered errors other than
 *   `Unavailable` (e.g. a request too big).
 * - At most `maxAttempts` attempts; delays grow exponentially with full
 *   jitter; a delay that would reach past the deadline gives up at once, so
 *   the caller sees the real error rather than `DeadlineExceeded` later.
 */
export class StandardRetryPolicy implements RetryPolicy {
  readonly maxAttempts: number;
  readonly budget: RetryBudget;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly retryable: ReadonlySet<Code>;
  private readonly random: () => number;

  constructor(options: StandardRetryOptions = {}) {
    this.maxAttempts = options.maxAttempts ?? retryDefaults.maxAttempts;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw new RangeError(`maxAttempts must be an integer >= 1, got ${this.maxAttempts}`);
    }
    this.baseBackoffMs = options.baseBackoffMs ?? retryDefaults.baseBackoffMs;
    this.maxBackoffMs = Math.max(
      this.baseBackoffMs,
      options.maxBackoffMs ?? retryDefaults.maxBackoffMs,
    );
    this.retryable = new Set(options.retryableCodes ?? retryDefaults.retryableCodes);
    const budget = options.budget;
    this.budget = budget instanceof RetryBudget ? budget : new RetryBudget(budget);
    this.random = options.random ?? Math.random;
  }

  onCall(): void {
    this.budget.deposit();
  }

  nextDelayMs(context: RetryContext): number | undefined {
    if (context.attempt >= this.maxAttempts) return undefined;
    const code = context.error.code;
    let delay: number;
    if (context.undelivered) {
      if (code !== Code.Unavailable) return undefined;
      // The first retry goes straight to another node; later ones mean every
      // node may be gone (or reconnecting), so they back off.
      delay =
        context.attempt === 1
          ? 0
          : fullJitterBackoff(
              context.attempt - 1,
              this.baseBackoffMs,
              this.maxBackoffMs,
              this.random,
            );
    } else {
      if (!context.idempotent || !this.retryable.has(code)) return undefined;
      delay = fullJitterBackoff(
        context.attempt,
        this.baseBackoffMs,
        this.maxBackoffMs,
        this.random,
      );
    }
    if (delay >= context.timeRemainingMs) return undefined;
    // Withdrawn last, so that a retry refused for another reason costs nothing.
    if (!context.undelivered && !this.budget.tryWithdraw()) return undefined;
    return delay;
  }
}

/** A policy that never retries: `createClient(S, rt, { retry: noRetry })`. */
export const noRetry: RetryPolicy = Object.freeze({
  nextDelayMs: (): undefined => undefined,
});

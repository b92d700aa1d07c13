import { describe, expect, it } from "vitest";
import { Greeter } from "../../generated/example/greeter/v1/greeter_pb.js";
import type { RetryContext } from "../../runtime/client/retry-policy.js";
import { Code } from "../../runtime/errors/code.js";
import { RpcError } from "../../runtime/errors/rpc-error.js";
import { fullJitterBackoff } from "../../runtime/retry/backoff.js";
import { RetryBudget } from "../../runtime/retry/retry-budget.js";
import { noRetry, StandardRetryPolicy } from "../../runtime/retry/standard-retry-policy.js";
import { manualClock } from "../support/manual-clock.js";

const method = Greeter.method.sayHello;

function failure(over: Partial<RetryContext> & { code?: Code } = {}): RetryContext {
  const { code = Code.Unavailable, ...rest } = over;
  return {
    method,
    attempt: 1,
    error: new RpcError(code, "failed"),
    node: undefined,
    idempotent: false,
    undelivered: false,
    timeRemainingMs: 10_000,
    ...rest,
  };
}

describe("retry rules", () => {
  const policy = () => new StandardRetryPolicy({ random: () => 0.5 });

  it("always retries an undelivered Unavailable, even for a method that is not idempotent; at once the first time", () => {
    const p = policy();
    expect(p.nextDelayMs(failure({ undelivered: true }))).toBe(0);
    const second = p.nextDelayMs(failure({ undelivered: true, attempt: 2 }));
    expect(second).toBe(25); // half of the first backoff window (50 ms)
  });

  it("never retries a call the server may have run unless the method is idempotent", () => {
    const p = policy();
    for (const code of [Code.Unavailable, Code.ResourceExhausted, Code.Internal]) {
      expect(p.nextDelayMs(failure({ code }))).toBeUndefined();
    }
  });

  it("retries idempotent methods for retryable codes only", () => {
    const p = policy();
    expect(p.nextDelayMs(failure({ idempotent: true }))).toBe(25);
    expect(p.nextDelayMs(failure({ idempotent: true, code: Code.ResourceExhausted }))).toBe(25);
    for (const code of [
      Code.Internal,
      Code.InvalidArgument,
      Code.NotFound,
      Code.DeadlineExceeded,
      Code.Canceled,
      Code.Unknown,
    ]) {
      expect(p.nextDelayMs(failure({ idempotent: true, code }))).toBeUndefined();
    }
    const custom = new StandardRetryPolicy({ retryableCodes: [Code.Aborted], random: () => 0 });
    expect(custom.nextDelayMs(failure({ idempotent: true, code: Code.Aborted }))).toBe(0);
    expect(custom.nextDelayMs(failure({ idempotent: true }))).toBeUndefined();
  });

  it("does not retry an undelivered error other than Unavailable (a request too big stays too big)", () => {
    const p = policy();
    const tooBig = failure({ undelivered: true, idempotent: true, code: Code.ResourceExhausted });
    expect(p.nextDelayMs(tooBig)).toBeUndefined();
  });

  it("stops at maxAttempts", () => {
    const p = new StandardRetryPolicy({ maxAttempts: 3 });
    expect(p.nextDelayMs(failure({ undelivered: true, attempt: 2 }))).toBeDefined();
    expect(p.nextDelayMs(failure({ undelivered: true, attempt: 3 }))).toBeUndefined();
    expect(
      new StandardRetryPolicy({ maxAttempts: 1 }).nextDelayMs(failure({ undelivered: true })),
    ).toBeUndefined();
  });

  it("never sleeps past the deadline: gives up when the delay would reach it", () => {
    const p = new StandardRetryPolicy({ random: () => 0.99, baseBackoffMs: 100 });
    expect(p.nextDelayMs(failure({ idempotent: true, timeRemainingMs: 200 }))).toBe(99);
    expect(p.nextDelayMs(failure({ idempotent: true, timeRemainingMs: 99 }))).toBeUndefined();
    // The transparent retry needs no sleep, but nothing is left at 0 ms either.
    expect(p.nextDelayMs(failure({ undelivered: true, timeRemainingMs: 0 }))).toBeUndefined();
  });

  it("noRetry never retries", () => {
    expect(noRetry.nextDelayMs(failure({ undelivered: true }))).toBeUndefined();
  });
});

describe("backoff", () => {
  it("grows exponentially up to the cap, with the delay spread over the whole window", () => {
    const top = () => 0.999_999;
    expect([1, 2, 3, 4, 5, 6].map((r) => fullJitterBackoff(r, 50, 1_000, top))).toEqual([
      49, 99, 199, 399, 799, 999,
    ]);
    expect(fullJitterBackoff(4, 50, 1_000, () => 0)).toBe(0);
    const samples = Array.from({ length: 2_000 }, () => fullJitterBackoff(3, 50, 1_000));
    expect(Math.min(...samples)).toBeLessThan(20);
    expect(Math.max(...samples)).toBeGreaterThan(180);
    expect(Math.max(...samples)).toBeLessThan(200);
  });
});

describe("retry budget", () => {
  it("allows retries of about 20 % of calls plus the floor, then refuses", () => {
    const c = manualClock(5_000_000);
    const budget = new RetryBudget({ ratio: 0.2, minRetriesPerSecond: 0, now: c.now });
    for (let i = 0; i < 100; i++) budget.deposit();
    let allowed = 0;
    while (budget.tryWithdraw()) allowed++;
    expect(allowed).toBe(20);
  });

  it("refills with time at the floor rate, up to the cap", () => {
    const c = manualClock(5_000_000);
    const budget = new RetryBudget({
      ratio: 0,
      minRetriesPerSecond: 10,
      maxBalance: 30,
      now: c.now,
    });
    expect(budget.balance).toBe(10); // one second of floor to start
    while (budget.tryWithdraw());
    c.advance(500);
    expect(budget.balance).toBeCloseTo(5);
    c.advance(60_000);
    expect(budget.balance).toBe(30);
  });

  it("a policy spends the budget on retries after possible execution, not on transparent ones", () => {
    const c = manualClock(5_000_000);
    const p = new StandardRetryPolicy({
      budget: { ratio: 0.1, minRetriesPerSecond: 0, now: c.now },
      random: () => 0,
    });
    for (let i = 0; i < 30; i++) p.onCall();
    const idempotent = failure({ idempotent: true });
    const outcomes = Array.from({ length: 10 }, () => p.nextDelayMs(idempotent));
    expect(outcomes.filter((d) => d !== undefined)).toHaveLength(3);
    // Spent: idempotent retries stop, undelivered ones go on.
    expect(p.nextDelayMs(idempotent)).toBeUndefined();
    expect(p.nextDelayMs(failure({ undelivered: true }))).toBe(0);
  });

  it("a shared budget bounds every policy that uses it", () => {
    const c = manualClock(5_000_000);
    const budget = new RetryBudget({ ratio: 0, minRetriesPerSecond: 2, now: c.now });
    const a = new StandardRetryPolicy({ budget, random: () => 0 });
    const b = new StandardRetryPolicy({ budget, random: () => 0 });
    const idempotent = failure({ idempotent: true });
    expect(a.nextDelayMs(idempotent)).toBe(0);
    expect(b.nextDelayMs(idempotent)).toBe(0);
    expect(a.nextDelayMs(idempotent)).toBeUndefined();
    expect(b.nextDelayMs(idempotent)).toBeUndefined();
  });
});

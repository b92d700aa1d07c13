import { describe, expect, it } from "vitest";
import { Greeter } from "../../generated/example/greeter/v1/greeter_pb.js";
import { EjectingRoundRobinSelector } from "../../runtime/balancing/ejecting-round-robin.js";
import { PowerOfTwoChoicesSelector } from "../../runtime/balancing/power-of-two-choices.js";
import type { CallOutcome, SelectContext, Selector } from "../../runtime/client/selector.js";
import { Code } from "../../runtime/errors/code.js";
import type { ServiceNode } from "../../runtime/registry/registry.js";
import { manualClock } from "../support/manual-clock.js";

const method = Greeter.method.sayHello;
const ctx: SelectContext = { service: Greeter.typeName, method, exclude: undefined };
const nodes = (...ids: string[]): ServiceNode[] =>
  ids.map((id) => ({ id, address: `pn.node.${id}`, metadata: {} }));
const ok: CallOutcome = { code: undefined, durationMs: 1, undelivered: false };
const gone: CallOutcome = { code: Code.Unavailable, durationMs: 0, undelivered: true };

/** Picks `count` times, reporting each outcome from `outcome(node)`. */
function run(
  selector: Selector,
  list: readonly ServiceNode[],
  count: number,
  outcome: (node: ServiceNode) => CallOutcome = () => ok,
  context: SelectContext = ctx,
): string[] {
  const picked: string[] = [];
  for (let i = 0; i < count; i++) {
    const node = selector.select(list, context);
    if (node === undefined) throw new Error("selector declined");
    selector.onCallStart?.(node, context);
    picked.push(node.id);
    selector.onCallEnd?.(node, outcome(node), context);
  }
  return picked;
}

describe("ejecting round robin", () => {
  it("takes healthy nodes in turn", () => {
    const s = new EjectingRoundRobinSelector();
    expect(run(s, nodes("a", "b", "c"), 6)).toEqual(["a", "b", "c", "a", "b", "c"]);
  });

  it("ejects a node after N consecutive Unavailable outcomes and steers traffic away", () => {
    const c = manualClock();
    const s = new EjectingRoundRobinSelector({ consecutiveFailures: 2, now: c.now });
    const list = nodes("a", "b", "c");
    // b fails every time: picked twice (a b c a b), then gone from the rotation.
    const picked = run(s, list, 12, (n) => (n.id === "b" ? gone : ok));
    expect(picked.slice(0, 5)).toEqual(["a", "b", "c", "a", "b"]);
    expect(picked.slice(5)).not.toContain("b");
    expect(picked.filter((id) => id === "b")).toHaveLength(2);
  });

  it("any other answer proves a node alive; Canceled and DeadlineExceeded prove nothing", () => {
    const c = manualClock();
    const s = new EjectingRoundRobinSelector({ consecutiveFailures: 2, now: c.now });
    const list = nodes("a");
    const sequence: CallOutcome[] = [
      gone,
      { code: Code.NotFound, durationMs: 1, undelivered: false }, // resets
      gone,
      { code: Code.DeadlineExceeded, durationMs: 1, undelivered: false }, // neutral
      { code: Code.Canceled, durationMs: 1, undelivered: false }, // neutral
      gone, // second in a row: ejected
    ];
    const b = nodes("a", "b");
    for (const outcome of sequence) s.onCallEnd(list[0]!, outcome, ctx);
    expect(run(s, b, 4)).toEqual(["b", "b", "b", "b"]);
  });

  it("re-admits after the base time, ejects longer when it fails again, forgives with time", () => {
    const c = manualClock();
    const s = new EjectingRoundRobinSelector({
      consecutiveFailures: 1,
      baseEjectionMs: 1_000,
      maxEjectionMs: 2_500,
      now: c.now,
    });
    const list = nodes("a", "b");
    const a = list[0]!;
    const picksA = () => run(s, list, 2).includes("a");
    s.onCallEnd(a, gone, ctx); // first ejection: 1 000 ms
    c.advance(999);
    expect(picksA()).toBe(false);
    c.advance(1);
    expect(picksA()).toBe(true);
    s.onCallEnd(a, gone, ctx); // second in a row: 2 000 ms
    c.advance(1_999);
    expect(picksA()).toBe(false);
    c.advance(1);
    expect(picksA()).toBe(true);
    s.onCallEnd(a, gone, ctx); // third: capped at 2 500 ms
    c.advance(2_499);
    expect(picksA()).toBe(false);
    c.advance(1);
    expect(picksA()).toBe(true);
    // Healthy for 3 base intervals: all three ejections forgiven, the next is short again.
    c.advance(3_000);
    s.onCallEnd(a, gone, ctx);
    c.advance(1_000);
    expect(picksA()).toBe(true);
  });

  it("never ejects every node: falls back to the one ejected longest ago", () => {
    const c = manualClock();
    const s = new EjectingRoundRobinSelector({ consecutiveFailures: 1, now: c.now });
    const list = nodes("a", "b", "c");
    s.onCallEnd(list[1]!, gone, ctx);
    c.advance(10);
    s.onCallEnd(list[2]!, gone, ctx);
    c.advance(10);
    s.onCallEnd(list[0]!, gone, ctx);
    expect(run(s, list, 3)).toEqual(["b", "b", "b"]);
  });

  it("a retry avoids nodes the call tried when a healthy one is left, else reuses a healthy tried one", () => {
    const c = manualClock();
    const s = new EjectingRoundRobinSelector({ consecutiveFailures: 1, now: c.now });
    const list = nodes("a", "b", "c");
    const retry: SelectContext = { ...ctx, exclude: new Set(["a", "b"]) };
    expect(run(s, list, 3, () => ok, retry)).toEqual(["c", "c", "c"]);
    s.onCallEnd(list[2]!, gone, ctx); // c ejected; a and b tried
    const picked = run(s, list, 4, () => ok, retry);
    expect(picked.every((id) => id === "a" || id === "b")).toBe(true);
  });

  it("forgets nodes that left the registry: one coming back under the same id starts clean", () => {
    const c = manualClock();
    const s = new EjectingRoundRobinSelector({ consecutiveFailures: 1, now: c.now });
    const before = nodes("a", "b");
    s.onCallEnd(before[0]!, gone, ctx);
    expect(run(s, before, 2)).toEqual(["b", "b"]);
    run(s, nodes("b"), 1); // a vanished
    expect(run(s, nodes("a", "b"), 4).sort()).toEqual(["a", "a", "b", "b"]);
  });

  it("keeps memory per service", () => {
    const c = manualClock();
    const s = new EjectingRoundRobinSelector({ consecutiveFailures: 1, now: c.now });
    const list = nodes("a", "b");
    const other: SelectContext = { ...ctx, service: "other.v1.Other" };
    s.onCallEnd(list[0]!, gone, ctx);
    expect(run(s, list, 2)).toEqual(["b", "b"]);
    expect(run(s, list, 2, () => ok, other).sort()).toEqual(["a", "b"]);
  });
});

describe("power of two choices", () => {
  /** Random numbers from a fixed list, repeated. */
  const sequence = (...values: number[]) => {
    let i = 0;
    return () => values[i++ % values.length] as number;
  };

  it("of the two random picks, takes the one with fewer calls in flight", () => {
    const s = new PowerOfTwoChoicesSelector({ random: sequence(0, 0) }); // picks a and b
    const list = nodes("a", "b", "c");
    s.onCallStart(list[0]!, ctx);
    s.onCallStart(list[0]!, ctx);
    s.onCallStart(list[1]!, ctx);
    expect(s.select(list, ctx)?.id).toBe("b");
    s.onCallEnd(list[0]!, ok, ctx);
    s.onCallEnd(list[0]!, ok, ctx);
    expect(s.select(list, ctx)?.id).toBe("a");
  });

  it("breaks a tie on in-flight calls by the lower average latency", () => {
    const s = new PowerOfTwoChoicesSelector({ random: sequence(0, 0), latencyWeight: 0.5 });
    const list = nodes("a", "b");
    const slow: CallOutcome = { code: undefined, durationMs: 40, undelivered: false };
    const fast: CallOutcome = { code: undefined, durationMs: 4, undelivered: false };
    for (const [node, outcome] of [
      [list[0]!, slow],
      [list[1]!, fast],
    ] as const) {
      s.onCallStart(node, ctx);
      s.onCallEnd(node, outcome, ctx);
    }
    expect(s.select(list, ctx)?.id).toBe("b");
    // a speeds up: 40 → 22 → 13 → 8.5 → 6.25 → 5.1 → 4.6, then below b.
    for (let i = 0; i < 8; i++) {
      s.onCallStart(list[0]!, ctx);
      s.onCallEnd(list[0]!, { code: undefined, durationMs: 2, undelivered: false }, ctx);
    }
    expect(s.select(list, ctx)?.id).toBe("a");
  });

  it("spreads load over every node and prefers the idle one under uneven load", () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const s = new PowerOfTwoChoicesSelector({ random });
    const list = nodes("a", "b", "c", "d");
    // d is stuck with 5 calls in flight; the others finish at once.
    for (let i = 0; i < 5; i++) s.onCallStart(list[3]!, ctx);
    const picked = run(s, list, 300);
    const counts = Object.fromEntries(["a", "b", "c", "d"].map((id) => [id, 0]));
    for (const id of picked) counts[id] = (counts[id] ?? 0) + 1;
    expect(counts.d).toBe(0);
    for (const id of ["a", "b", "c"]) expect(counts[id]).toBeGreaterThan(50);
  });

  it("ejects failing nodes too: a node failing fast does not attract traffic", () => {
    const c = manualClock();
    const s = new PowerOfTwoChoicesSelector({ consecutiveFailures: 2, now: c.now });
    const list = nodes("a", "b", "c");
    const picked = run(s, list, 60, (n) => (n.id === "a" ? gone : ok));
    expect(picked.filter((id) => id === "a").length).toBe(2);
  });

  it("avoids nodes the call tried; with one node left, takes it", () => {
    const s = new PowerOfTwoChoicesSelector({ random: sequence(0.9, 0.1) });
    const list = nodes("a", "b", "c");
    const retry: SelectContext = { ...ctx, exclude: new Set(["a", "c"]) };
    expect(run(s, list, 5, () => ok, retry)).toEqual(["b", "b", "b", "b", "b"]);
    expect(s.select(nodes("a"), retry)?.id).toBe("a");
  });
});

import { describe, expect, it } from "vitest";
import { Greeter } from "../../generated/example/greeter/v1/greeter_pb.js";
import { LocalitySelector } from "../../runtime/balancing/locality-selector.js";
import type { CallOutcome, SelectContext } from "../../runtime/client/selector.js";
import { Code } from "../../runtime/errors/code.js";
import type { NodeLocality } from "../../runtime/locality/locality.js";
import { toLocality } from "../../runtime/nats/registry/locality-wire.js";
import { RecordRules } from "../../runtime/nats/registry/record-rules.js";
import { resolveRegistryLimits } from "../../runtime/nats/registry/registry-limits.js";
import { decodeAnnouncement } from "../../runtime/nats/registry/registry-wire.js";
import type { ServiceNode } from "../../runtime/registry/registry.js";
import { manualClock } from "../support/manual-clock.js";

const ok: CallOutcome = { code: undefined, durationMs: 1, undelivered: false };
const gone: CallOutcome = { code: Code.Unavailable, durationMs: 0, undelivered: true };
const busy: CallOutcome = { code: Code.ResourceExhausted, durationMs: 0, undelivered: false };

const node = (id: string, locality?: NodeLocality): ServiceNode => ({
  id,
  address: `pn.node.${id}`,
  metadata: {},
  ...(locality && { locality }),
});
const list = [
  node("e1", { cluster: "east", server: "east1", zone: "eu" }),
  node("e2", { cluster: "east", server: "east2", zone: "eu" }),
  node("n1", { cluster: "north", server: "north1", zone: "eu" }),
  node("w1", { cluster: "west", server: "west1", zone: "us" }),
  node("x1"),
];

function context(
  here: NodeLocality | undefined,
  extra: Partial<SelectContext> = {},
): SelectContext {
  return {
    service: Greeter.typeName,
    method: Greeter.method.sayHello,
    exclude: undefined,
    locate: () => here,
    ...extra,
  };
}

function picks(
  s: LocalitySelector,
  nodes: readonly ServiceNode[],
  ctx: SelectContext,
  count: number,
  outcome: (n: ServiceNode) => CallOutcome = () => ok,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = s.select(nodes, ctx);
    if (!n) throw new Error("declined");
    s.onCallStart(n, ctx);
    out.push(n.id);
    s.onCallEnd(n, outcome(n), ctx);
  }
  return out;
}

const east = context({ cluster: "east", server: "east1", zone: "eu" });

describe("locality selector", () => {
  it("keeps calls in the caller's cluster, round robin", () => {
    const s = new LocalitySelector();
    expect(new Set(picks(s, list, east, 10))).toEqual(new Set(["e1", "e2"]));
    expect(s.stats()).toMatchObject({ cluster: 10, zone: 0, remote: 0 });
  });

  it("spills to the caller's zone, then anywhere, when nearer nodes are ejected, and counts why", () => {
    const clock = manualClock();
    const s = new LocalitySelector({ now: clock.now });
    const outcome = (n: ServiceNode) => (n.locality?.cluster === "east" ? gone : ok);
    const got = picks(s, list, east, 20, outcome);
    // Three failures in a row eject each east node; then the zone's other cluster serves.
    expect(got.slice(-10)).toEqual(Array(10).fill("n1"));
    expect(s.stats().spills.ejected).toBeGreaterThanOrEqual(10);
    // The zone's node fails too: anywhere else.
    const farther = picks(s, list, east, 6, (n) => (n.id === "n1" ? gone : ok));
    expect(new Set(farther.slice(-3))).toEqual(new Set(["w1", "x1"]));
    expect(s.stats().remote).toBeGreaterThanOrEqual(3);
    // After the ejection, east serves again.
    clock.advance(60_000);
    expect(picks(s, list, east, 2).every((id) => id.startsWith("e"))).toBe(true);
  });

  it("spills over when local nodes are gone or saturated", () => {
    const s = new LocalitySelector({ maxPendingPerNode: 2 });
    // Gone: no east node in the list.
    picks(s, list.slice(2), east, 3);
    expect(s.stats().spills.gone).toBe(3);
    // Saturated by calls in flight: two on each east node, then the zone.
    const inFlight = [0, 1, 2, 3].map(() => {
      const n = s.select(list, east) as ServiceNode;
      s.onCallStart(n, east);
      return n.id;
    });
    expect(new Set(inFlight)).toEqual(new Set(["e1", "e2"]));
    expect(s.select(list, east)?.id).toBe("n1");
    expect(s.stats().spills.saturated).toBe(1);
  });

  it("treats a node answering ResourceExhausted as saturated for a while", () => {
    const clock = manualClock();
    const s = new LocalitySelector({ now: clock.now, saturatedMs: 1_000 });
    const only = [list[0] as ServiceNode, list[3] as ServiceNode];
    expect(picks(s, only, east, 1, () => busy)).toEqual(["e1"]);
    expect(picks(s, only, east, 3)).toEqual(["w1", "w1", "w1"]);
    clock.advance(1_001);
    expect(picks(s, only, east, 2)).toEqual(["e1", "e1"]);
  });

  it("a retry goes to another tier rather than to the node it tried", () => {
    const s = new LocalitySelector();
    const only = [list[0] as ServiceNode, list[3] as ServiceNode];
    const retry = context(east.locate?.(), { exclude: new Set(["e1"]) });
    expect(s.select(only, retry)?.id).toBe("w1");
    expect(s.stats().spills.retried).toBe(1);
  });

  it("follows the caller when its connection moves to another cluster", () => {
    let here: NodeLocality = { cluster: "east" };
    const ctx = context(undefined, { locate: () => here });
    const s = new LocalitySelector();
    expect(picks(s, list, ctx, 2).every((id) => id.startsWith("e"))).toBe(true);
    here = { cluster: "west" };
    expect(picks(s, list, ctx, 2)).toEqual(["w1", "w1"]);
  });

  it("honours a preference for any node, a zone or a cluster", () => {
    const s = new LocalitySelector();
    const any = new Set(picks(s, list, context(east.locate?.(), { locality: "any" }), 10));
    expect(any).toEqual(new Set(["e1", "e2", "n1", "w1", "x1"]));
    expect(s.stats().any).toBe(10);
    expect(picks(s, list, context(east.locate?.(), { locality: { zone: "us" } }), 2)).toEqual([
      "w1",
      "w1",
    ]);
    expect(picks(s, list, context(east.locate?.(), { locality: { cluster: "north" } }), 2)).toEqual(
      ["n1", "n1"],
    );
    // A client-wide preference, when the call has none.
    const west = new LocalitySelector({ prefer: { cluster: "west" } });
    expect(picks(west, list, east, 2)).toEqual(["w1", "w1"]);
  });

  it("without a known place every node is alike", () => {
    const s = new LocalitySelector();
    expect(new Set(picks(s, list, context(undefined), 10)).size).toBe(5);
  });
});

describe("locality on the wire", () => {
  it("reads cluster, server and zone, and drops what is malformed or too long", () => {
    expect(toLocality({ cluster: "east", server: "east1", zone: "eu-1" })).toEqual({
      cluster: "east",
      server: "east1",
      zone: "eu-1",
    });
    expect(toLocality({ cluster: "x".repeat(129), server: 7, zone: "a b" })).toBeUndefined();
    expect(toLocality({ cluster: "east", zone: ["eu"] })).toEqual({ cluster: "east" });
    expect(toLocality("east")).toBeUndefined();
    expect(toLocality(null)).toBeUndefined();
  });

  it("a node's locality travels in register announcements; a bad one leaves the node usable", () => {
    const announce = (locality: unknown) =>
      decodeAnnouncement(
        new TextEncoder().encode(
          JSON.stringify({
            op: "register",
            registry: "r",
            ttl: 1000,
            service: {
              name: "a.B",
              version: "1",
              nodes: [{ id: "n", address: "pn.svc.a.B.n", metadata: {}, locality }],
            },
          }),
        ),
        new RecordRules(undefined, resolveRegistryLimits({})),
        "a.B",
      );
    const good = announce({ cluster: "east", server: "east1" });
    expect(good?.op === "register" && good.service.nodes[0]?.locality).toEqual({
      cluster: "east",
      server: "east1",
    });
    const bad = announce({ cluster: { $gt: "" } });
    expect(bad?.op === "register" && bad.service.nodes[0]).toEqual({
      id: "n",
      address: "pn.svc.a.B.n",
      metadata: {},
    });
  });
});

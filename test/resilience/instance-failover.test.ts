import { nuid } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import {
  createOrderServiceClient,
  defineOrderService,
} from "../../generated/example/orders/v1/orders_nats.js";
import { EjectingRoundRobinSelector } from "../../runtime/balancing/ejecting-round-robin.js";
import type { SelectContext } from "../../runtime/client/selector.js";
import { Code } from "../../runtime/errors/code.js";
import { RpcError } from "../../runtime/errors/rpc-error.js";
import { CallMetrics } from "../../runtime/metrics/call-metrics.js";
import { type NatsRuntime, natsRuntime } from "../../runtime/nats/nats-runtime.js";
import type { ServiceNode } from "../../runtime/registry/registry.js";
import { serve } from "../../runtime/server/serve.js";
import { natsSuite } from "../support/nats-suite.js";
import { startChild } from "./support/child-process.js";
import { type OrderLedger, orderHandlers, pause } from "./support/orders.js";
import { fastRegistry } from "./support/registry-settings.js";

/** Round robin with ejection (the default without locality), recording when each attempt went to which node. */
class RecordingSelector extends EjectingRoundRobinSelector {
  readonly picks: { at: number; node: string }[] = [];
  override select(nodes: readonly ServiceNode[], context: SelectContext): ServiceNode | undefined {
    const node = super.select(nodes, context);
    if (node) this.picks.push({ at: Date.now(), node: node.id });
    return node;
  }
}

type Outcome = { kind: "place" | "get"; started: number; ended: number; error?: RpcError };

describe("an instance dies under load", () => {
  const suite = natsSuite();

  function scope(): { namespace: string; runtime: NatsRuntime } {
    const namespace = `f${nuid.next().slice(-10).toLowerCase()}`;
    const runtime = natsRuntime(suite.conn, { namespace, registry: fastRegistry });
    suite.cleanup(() => runtime.registry.close().catch(() => undefined));
    return { namespace, runtime };
  }

  it("kill -9 of one of two instances: no call is lost silently, traffic moves to the survivor", async () => {
    const { namespace, runtime } = scope();
    const child = await startChild("./order-server-process.ts", [
      suite.nats.server.url,
      namespace,
      "doomed",
      "5",
    ]);
    try {
      const survivorLedger: OrderLedger = { placed: [], looked: [] };
      suite.servers.push(
        await serve(runtime, [defineOrderService(orderHandlers("survivor", 5, survivorLedger))], {
          id: "survivor",
        }),
      );
      const selector = new RecordingSelector();
      const client = createOrderServiceClient(runtime, { selector, timeoutMs: 1_000 });
      // Both instances are known before the load starts.
      for (let i = 0; i < 20; i++) await client.getOrder({ id: `warm-${i}` });
      expect(new Set(selector.picks.map((p) => p.node))).toEqual(new Set(["doomed", "survivor"]));

      const outcomes: Outcome[] = [];
      const until = Date.now() + 2_500;
      let killedAt = 0;
      const worker = async (w: number) => {
        for (let i = 0; Date.now() < until; i++) {
          const kind = i % 2 === 0 ? "place" : "get";
          const o: Outcome = { kind, started: Date.now(), ended: 0 };
          try {
            if (kind === "place") await client.placeOrder({ customer: `w${w}-${i}` });
            else await client.getOrder({ id: `w${w}-${i}` });
          } catch (error) {
            o.error = error as RpcError;
          }
          o.ended = Date.now();
          outcomes.push(o);
        }
      };
      const load = Promise.all([0, 1, 2, 3].map(worker));
      await pause(600);
      killedAt = Date.now();
      await child.kill();
      await load;

      // Every call settled, and every failure is an RpcError with a code that says what happened.
      expect(outcomes.length).toBeGreaterThan(100);
      const failed = outcomes.filter((o) => o.error !== undefined);
      for (const o of failed) {
        expect(o.error).toBeInstanceOf(RpcError);
        // Only non-idempotent calls in flight on the dead node at the kill fail: the liveness
        // probe finds the node gone well before their deadline, and they are not retried
        // because the node may have run them (idempotent ones are retried on the survivor).
        expect(o.error?.code).toBe(Code.Unavailable);
        expect(o.kind).toBe("place");
        expect(o.started).toBeLessThanOrEqual(killedAt + 50);
        expect(o.ended - killedAt).toBeLessThan(1_500);
      }
      expect(failed.length).toBeLessThanOrEqual(4);
      // Calls made after the kill all succeeded, on the survivor: the ones that hit the dead
      // node got "no responders" and were retried there, idempotent or not.
      const after = outcomes.filter((o) => o.started > killedAt + 50);
      expect(after.length).toBeGreaterThan(50);
      expect(after.every((o) => o.error === undefined)).toBe(true);
      expect(after.some((o) => o.kind === "place")).toBe(true);
      // Ejection: the dead node got at most a few attempts before leaving the rotation.
      const toDead = selector.picks.filter((p) => p.node === "doomed" && p.at > killedAt + 20);
      expect(toDead.length).toBeLessThanOrEqual(3 + 4);
      const toSurvivor = selector.picks.filter((p) => p.node === "survivor" && p.at > killedAt);
      expect(toSurvivor.length).toBeGreaterThan(50);
    } finally {
      await child.kill();
    }
  });

  it("a stopping instance answers Unavailable: idempotent calls are retried, others never run twice", async () => {
    const { runtime } = scope();
    const ledgers = { a: { placed: [], looked: [] }, b: { placed: [], looked: [] } } as Record<
      "a" | "b",
      OrderLedger
    >;
    const metrics = new CallMetrics();
    const a = await serve(runtime, [defineOrderService(orderHandlers("a", 400, ledgers.a))], {
      id: "a",
      observers: [metrics],
    });
    const b = await serve(runtime, [defineOrderService(orderHandlers("b", 20, ledgers.b))], {
      id: "b",
    });
    suite.servers.push(b);
    const client = createOrderServiceClient(runtime, { timeoutMs: 3_000 });
    await client.getOrder({ id: "warm-a" });
    await client.getOrder({ id: "warm-b" });
    const settle = <T>(p: Promise<T>) =>
      p.then(
        (value) => ({ value, error: undefined }),
        (error: RpcError) => ({ value: undefined, error }),
      );
    const places = Array.from({ length: 8 }, (_, i) =>
      settle(client.placeOrder({ customer: `c${i}` })),
    );
    const gets = Array.from({ length: 8 }, (_, i) => settle(client.getOrder({ id: `g${i}` })));
    await pause(100);
    await a.stop({ graceMs: 0 });
    const placed = await Promise.all(places);
    const got = await Promise.all(gets);

    // Round robin sent half of each kind to a; a's were cut short with Unavailable.
    const cut = metrics.snapshot("example.orders.v1.OrderService", "PlaceOrder");
    expect(cut?.errorsByCode.unavailable).toBe(4);
    // PlaceOrder is not idempotent: a's four fail, and none of them ran again on b.
    const placeErrors = placed.filter((r) => r.error !== undefined);
    expect(placeErrors.map((r) => r.error?.code)).toEqual(Array(4).fill(Code.Unavailable));
    const failedCustomers = new Set(
      ledgers.a.placed.filter((c) => !placed.some((r) => r.value?.order?.id === `b:${c}`)),
    );
    expect(failedCustomers.size).toBe(4);
    for (const c of failedCustomers) expect(ledgers.b.placed).not.toContain(c);
    // GetOrder has no side effects: every call succeeded, a's on b after a retry.
    expect(got.every((r) => r.error === undefined)).toBe(true);
    expect(got.every((r) => r.value?.customer === "b")).toBe(true);
  });
});

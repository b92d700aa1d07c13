import { nuid } from "@nats-io/transport-node";
import { beforeAll, describe, expect, it } from "vitest";
import {
  createGreeterClient,
  defineGreeter,
} from "../../generated/example/greeter/v1/greeter_nats.js";
import {
  createOrderServiceClient,
  defineOrderService,
} from "../../generated/example/orders/v1/orders_nats.js";
import type { SelectContext, Selector } from "../../runtime/client/selector.js";
import { Code } from "../../runtime/errors/code.js";
import { memoryRuntime } from "../../runtime/memory/memory-runtime.js";
import { type NatsRuntime, natsRuntime } from "../../runtime/nats/nats-runtime.js";
import type { ServiceNode } from "../../runtime/registry/registry.js";
import { noRetry } from "../../runtime/retry/standard-retry-policy.js";
import { serve } from "../../runtime/server/serve.js";
import { type ChildServer, startChild } from "../resilience/support/child-process.js";
import { type OrderLedger, orderHandlers, pause } from "../resilience/support/orders.js";
import { fastRegistry } from "../resilience/support/registry-settings.js";
import { natsSuite } from "../support/nats-suite.js";
import { greeterHandlers } from "./support/greeter.js";
import { expectCode } from "./support/nats.js";
import { recordingClientRuntime } from "./support/recording-transport.js";

/** Probe interval of these tests; a server gone is known within about one interval. */
const livenessMs = 200;
/** Far beyond the detection bound: a call that ends at its deadline fails the test. */
const longDeadline = { timeoutMs: 30_000 };

/** Always the node `first` when the call has not tried it yet: the doomed node takes the first attempt. */
class FirstChoiceSelector implements Selector {
  constructor(private readonly first: string) {}
  select(nodes: readonly ServiceNode[], context: SelectContext): ServiceNode | undefined {
    const untried = nodes.filter((n) => !context.exclude?.has(n.id));
    return untried.find((n) => n.id === this.first) ?? untried[0] ?? nodes[0];
  }
}

/** A server process and the namespace it serves in. */
interface Scoped {
  namespace: string;
  runtime: NatsRuntime;
  child: ChildServer;
}

describe("unary calls detect a server that dies mid-call", () => {
  const suite = natsSuite();
  const children: ChildServer[] = [];
  // Started together: a process start is most of these tests' time.
  let greeterToKill: Scoped;
  let greeterToStop: Scoped;
  let doomedOrders: Scoped;

  beforeAll(async () => {
    suite.cleanup(() => Promise.all(children.map((c) => c.kill())));
    [greeterToKill, greeterToStop, doomedOrders] = await Promise.all([
      scopedChild("../../rpc/support/child-server.ts", []),
      scopedChild("../../rpc/support/child-server.ts", []),
      scopedChild("./order-server-process.ts", ["doomed", "60000"]),
    ]);
  }, 60_000);
  function scope(): { namespace: string; runtime: NatsRuntime } {
    const namespace = `l${nuid.next().slice(-10).toLowerCase()}`;
    const runtime = natsRuntime(suite.conn, { namespace, registry: fastRegistry });
    suite.cleanup(() => runtime.registry.close().catch(() => undefined));
    return { namespace, runtime };
  }

  async function scopedChild(script: string, args: string[]): Promise<Scoped> {
    const { namespace, runtime } = scope();
    const child = await startChild(script, [suite.nats.server.url, namespace, ...args]);
    children.push(child);
    return { namespace, runtime, child };
  }

  it("kill -9 of the server: the call fails Unavailable about one probe interval later", async () => {
    const { runtime, child } = greeterToKill;
    const client = createGreeterClient(runtime, { livenessMs, retry: noRetry });
    const call = expectCode(
      client.sayHello({ name: "slow:60000" }, longDeadline),
      Code.Unavailable,
    );
    // Long enough for answered probes: the server was alive and said so.
    await pause(livenessMs * 2);
    const killedAt = Date.now();
    await child.kill();
    const error = await call;
    const detectedMs = Date.now() - killedAt;
    expect(error.message).toMatch(/went away during the call/);
    expect(detectedMs).toBeLessThan(2_000);
    console.info(`unary liveness: SIGKILL detected after ${detectedMs} ms (H=${livenessMs} ms)`);
  });

  it("a stopped (SIGSTOP) server answers no probe: Unavailable after the missed probes", async () => {
    const { runtime, child } = greeterToStop;
    const client = createGreeterClient(runtime, { livenessMs: 100, retry: noRetry });
    const call = expectCode(
      client.sayHello({ name: "slow:60000" }, longDeadline),
      Code.Unavailable,
    );
    await pause(250);
    const stoppedAt = Date.now();
    process.kill(child.pid as number, "SIGSTOP");
    try {
      const error = await call;
      expect(error.message).toMatch(/answered none of 3 liveness probes/);
      // 3 probes plus one interval, 100 ms each; loose for a loaded machine.
      expect(Date.now() - stoppedAt).toBeLessThan(3_000);
    } finally {
      await child.kill(); // SIGKILL ends a stopped process too.
    }
  });

  it("a slow but alive server: probes are answered and the call succeeds", async () => {
    // The server on a connection of its own, as if in another process.
    const { namespace, runtime } = scope();
    const serverRuntime = natsRuntime(await suite.nats.connect(), {
      namespace,
      registry: fastRegistry,
    });
    suite.cleanup(() => serverRuntime.registry.close().catch(() => undefined));
    suite.servers.push(await serve(serverRuntime, [defineGreeter(greeterHandlers("slow"))]));
    const recorded = recordingClientRuntime(runtime);
    const client = createGreeterClient(recorded.runtime, { livenessMs: 100, retry: noRetry });
    const res = await client.sayHello({ name: "slow:1000" }, longDeadline);
    expect(res.message).toBe("Hello, slow:1000");
    const pings = recorded.log.sent.filter((t) => t === "ping").length;
    const answers = recorded.log.received.filter((t) => t === "ping").length;
    // Ten intervals: far more probes than the three a silent server is allowed.
    expect(pings).toBeGreaterThanOrEqual(5);
    expect(answers).toBeGreaterThanOrEqual(pings - 1);
  });

  it("a killed node: an idempotent call is retried on the survivor, a non-idempotent one fails and never runs twice", async () => {
    const { runtime, child: doomed } = doomedOrders;
    const survivorLedger: OrderLedger = { placed: [], looked: [] };
    suite.servers.push(
      await serve(runtime, [defineOrderService(orderHandlers("survivor", 0, survivorLedger))], {
        id: "survivor",
      }),
    );
    // Both nodes known before the calls start.
    for (let i = 0; ; i++) {
      const infos = await runtime.registry.getService("example.orders.v1.OrderService");
      if (infos.flatMap((s) => s.nodes).length === 2) break;
      if (i > 100) throw new Error("both order nodes never showed up in the registry");
      await pause(50);
    }
    const client = createOrderServiceClient(runtime, {
      livenessMs,
      selector: new FirstChoiceSelector("doomed"),
    });
    const started = Date.now();
    const get = client.getOrder({ id: "g1" }, longDeadline);
    const place = expectCode(client.placeOrder({ customer: "c1" }, longDeadline), Code.Unavailable);
    await pause(livenessMs * 2);
    await doomed.kill();

    const got = await get;
    expect(got.customer).toBe("survivor");
    expect(survivorLedger.looked).toEqual(["g1"]);
    const error = await place;
    expect(error.message).toMatch(/went away during the call/);
    expect(survivorLedger.placed).not.toContain("c1");
    expect(Date.now() - started).toBeLessThan(livenessMs * 2 + 2_000);
  });
});

describe("unary liveness on the hot path", () => {
  it("a call that ends within the probe interval sends no probe; a longer one does", async () => {
    const base = memoryRuntime();
    const server = await serve(base, [defineGreeter(greeterHandlers("memory"))]);
    try {
      const { runtime, log } = recordingClientRuntime(base);
      const client = createGreeterClient(runtime, { livenessMs: 50 });
      for (let i = 0; i < 50; i++) await client.sayHello({ name: `n${i}` });
      expect(log.sent.filter((t) => t !== "call")).toEqual([]);
      expect(log.received.filter((t) => t !== "reply")).toEqual([]);

      await client.sayHello({ name: "slow:300" });
      expect(log.sent.filter((t) => t === "ping").length).toBeGreaterThanOrEqual(3);
      expect(log.received.filter((t) => t === "ping").length).toBeGreaterThanOrEqual(3);
    } finally {
      await server.stop({ graceMs: 0 });
    }
  });
});

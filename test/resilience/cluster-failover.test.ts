import { connect, type NatsConnection, nuid } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createGreeterClient,
  defineGreeter,
} from "../../generated/example/greeter/v1/greeter_nats.js";
import { Code } from "../../runtime/errors/code.js";
import { RpcError } from "../../runtime/errors/rpc-error.js";
import { CallMetrics } from "../../runtime/metrics/call-metrics.js";
import { type NatsRuntime, natsRuntime } from "../../runtime/nats/nats-runtime.js";
import { serve } from "../../runtime/server/serve.js";
import type { Server } from "../../runtime/server/server.js";
import { type NatsServerProcess, startNatsCluster } from "../harness/nats-server.js";
import { pause } from "./support/orders.js";
import { fastRegistry } from "./support/registry-settings.js";

type Outcome = { started: number; ended: number; error?: RpcError };

describe("a 3-node NATS cluster", () => {
  let cluster: NatsServerProcess[] = [];
  const connections: NatsConnection[] = [];
  const runtimes: NatsRuntime[] = [];
  let server: Server | undefined;

  beforeAll(async () => {
    cluster = await startNatsCluster(3);
  });
  afterAll(async () => {
    await server?.stop({ graceMs: 0 }).catch(() => undefined);
    for (const r of runtimes) await r.registry.close().catch(() => undefined);
    await Promise.all(connections.map((nc) => (nc.isClosed() ? undefined : nc.close())));
    await Promise.all(cluster.map((n) => n.stop()));
  });

  it("a client and a server on different nodes talk; the server survives the loss of its node", async () => {
    const [n1, n2, n3] = cluster as [NatsServerProcess, NatsServerProcess, NatsServerProcess];
    // The server knows every node and starts on n1; the client only knows n3.
    const serverConn = await connect({
      servers: [n1.url, n2.url, n3.url],
      noRandomize: true,
      reconnectTimeWait: 100,
      reconnectJitter: 0,
      maxReconnectAttempts: -1,
      noAsyncTraces: true,
    });
    connections.push(serverConn);
    const clientConn = await connect({ servers: n3.url, noAsyncTraces: true });
    connections.push(clientConn);
    expect(serverConn.getServer()).toBe(`127.0.0.1:${n1.port}`);

    const namespace = `c${nuid.next().slice(-10).toLowerCase()}`;
    const serverRuntime = natsRuntime(serverConn, { namespace, registry: fastRegistry });
    const clientRuntime = natsRuntime(clientConn, { namespace, registry: fastRegistry });
    runtimes.push(serverRuntime, clientRuntime);
    const metrics = new CallMetrics();
    server = await serve(
      serverRuntime,
      [
        defineGreeter({
          async sayHello(req, ctx) {
            await pause(5, ctx.signal);
            return { message: `Hello, ${req.name}`, servedBy: "s" };
          },
          async *sayHelloStream() {},
          async sayHelloToAll() {
            return {};
          },
          async *chat() {},
        }),
      ],
      { observers: [metrics] },
    );
    const client = createGreeterClient(clientRuntime);

    // Across nodes: the request goes n3 → n1 over the route, the reply back. Right after
    // serve() the cluster may not have spread the server's interest to n3 yet, so the
    // first lookup may miss it: wait (boundedly) until it is discoverable.
    const discoverable = Date.now() + 3_000;
    for (;;) {
      try {
        expect((await client.sayHello({ name: "Ada" })).message).toBe("Hello, Ada");
        break;
      } catch (error) {
        if (!(error instanceof RpcError) || error.code !== Code.NotFound) throw error;
        if (Date.now() > discoverable) throw error;
        await pause(50);
      }
    }

    const outcomes: Outcome[] = [];
    const until = Date.now() + 4_000;
    const worker = async (w: number) => {
      for (let i = 0; Date.now() < until; i++) {
        const o: Outcome = { started: Date.now(), ended: 0 };
        try {
          const res = await client.sayHello({ name: `w${w}-${i}` }, { timeoutMs: 1_000 });
          expect(res.message).toBe(`Hello, w${w}-${i}`);
        } catch (error) {
          o.error = error as RpcError;
        }
        o.ended = Date.now();
        outcomes.push(o);
        // A failed call is not retried in a hot loop by this test.
        if (o.error) await pause(20);
      }
    };
    const load = Promise.all([0, 1, 2].map(worker));
    await pause(500);
    const servedBeforeKill = metrics.snapshot("example.greeter.v1.Greeter", "SayHello")?.calls ?? 0;
    const killedAt = Date.now();
    await n1.kill();
    // Calls made while the server reconnects: no waiting on a busy worker.
    const probe = async () => {
      while (Date.now() < until) {
        const o: Outcome = { started: Date.now(), ended: 0 };
        await client.sayHello({ name: "probe" }, { timeoutMs: 1_000 }).catch((error: RpcError) => {
          o.error = error;
        });
        o.ended = Date.now();
        outcomes.push(o);
        await pause(25);
      }
    };
    await Promise.all([load, probe()]);

    // The server's connection moved to a surviving node and kept its subscriptions.
    expect(serverConn.isClosed()).toBe(false);
    expect(serverConn.getServer()).not.toBe(`127.0.0.1:${n1.port}`);
    expect(metrics.snapshot("example.greeter.v1.Greeter", "SayHello")?.calls).toBeGreaterThan(
      servedBeforeKill + 50,
    );
    // Every call either succeeded or failed with a code that says what happened.
    for (const o of outcomes.filter((x) => x.error !== undefined)) {
      expect(o.error).toBeInstanceOf(RpcError);
      expect([Code.Unavailable, Code.DeadlineExceeded, Code.NotFound]).toContain(o.error?.code);
    }
    // Calls resumed within a bound after the kill, and all the late ones succeed.
    const firstSuccessAfter = outcomes
      .filter((o) => o.error === undefined && o.started > killedAt)
      .reduce((min, o) => Math.min(min, o.ended), Infinity);
    expect(firstSuccessAfter - killedAt).toBeLessThan(2_500);
    const late = outcomes.filter((o) => o.started > until - 1_000);
    expect(late.length).toBeGreaterThan(20);
    expect(late.every((o) => o.error === undefined)).toBe(true);
    // And a call started now is served normally.
    expect((await client.sayHello({ name: "Grace" })).message).toBe("Hello, Grace");
  });
});

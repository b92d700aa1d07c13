import { connect, type NatsConnection } from "@nats-io/transport-node";
import { type CallOptions, LocalitySelector, natsRuntime, serve } from "protonats";
import { createClient, defineService } from "protonats/protocol";
import { Greeter } from "../../generated/example/greeter/v1/greeter_pb.js";
import { startSupercluster } from "../../test/harness/nats-topology.js";
import type { BenchContext } from "../lib/context.js";
import { type DelayProxy, startDelayProxy } from "../lib/delay-proxy.js";
import { rounds } from "../lib/rounds.js";
import { quantile } from "../lib/stats.js";

/** Instances heartbeat often, so that a node a cold lookup missed joins soon. */
const instanceRegistry = { heartbeatIntervalMs: 200, ttlMs: 1_000 };

/** One-way delay added on the gateway path between the two clusters, in ms. */
export const wanDelayMs = 5;

/**
 * Calls in a supercluster whose gateway link has WAN latency: clusters
 * "east" and "west", every gateway connection through a proxy adding
 * `wanDelayMs` each way. One Greeter instance in each cluster; the client is
 * in east. Sequential unary calls, p50 latency: with the default locality
 * preference ("nearest": east's instance) and with `locality: "any"` (round
 * robin over both instances, as before locality existed).
 */
export async function locality(ctx: BenchContext): Promise<void> {
  const proxies: DelayProxy[] = [];
  const sc = await startSupercluster([{ name: "east" }, { name: "west" }], {
    gatewayPath: async (_cluster, port) => {
      const proxy = await startDelayProxy(port, wanDelayMs);
      proxies.push(proxy);
      return proxy.port;
    },
  });
  const connections: NatsConnection[] = [];
  const open = async (url: string) => {
    const nc = await connect({ servers: url, noAsyncTraces: true });
    connections.push(nc);
    return nc;
  };
  const namespace = "benchlocality";
  try {
    const [east, west] = [sc.urls("east")[0] as string, sc.urls("west")[0] as string];
    for (const [id, url] of [
      ["east-a", east],
      ["west-a", west],
    ] as const) {
      await serve(
        natsRuntime(await open(url), { namespace, registry: instanceRegistry }),
        [
          defineService(Greeter, {
            sayHello: (req: { name: string }) => ({ message: `hello ${req.name}`, servedBy: id }),
            async *sayHelloStream() {},
            sayHelloToAll: async () => ({}),
            async *chat() {},
          }),
        ],
        { id },
      );
    }
    const selector = new LocalitySelector();
    // Quiet window of a cold lookup about the cross-cluster round trip (see README).
    const crt = natsRuntime(await open(east), { namespace, registry: { quietMs: 4 * wanDelayMs } });
    const client = createClient(Greeter, crt, { selector });
    const calls = ctx.quick ? 200 : 1000;
    /** `q` in 0..1: that quantile of the call latencies; `"mean"`: their mean. */
    const measure = (options: CallOptions, q: number | "mean") => async (): Promise<number> => {
      const samples = new Float64Array(calls);
      for (let i = 0; i < calls; i++) {
        const t0 = performance.now();
        await client.sayHello({ name: "b" }, options);
        samples[i] = performance.now() - t0;
      }
      if (q === "mean") return samples.reduce((a, b) => a + b, 0) / calls;
      return quantile(samples.sort(), q);
    };
    // Both instances known (a node the first lookup missed joins at its next
    // heartbeat) and warmed up before measuring.
    for (const until = Date.now() + 10_000; Date.now() < until; ) {
      const found = await crt.registry.getService(Greeter.typeName);
      if (found.flatMap((s) => s.nodes).length === 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await measure({ locality: "any" }, 0.5)();
    const wan = `WAN ${wanDelayMs} ms each way`;
    ctx.figures.push(
      await rounds(ctx.rounds, "unary p50, nearest (default)", wan, "ms", measure({}, 0.5)),
      await rounds(ctx.rounds, "unary p50, any node", wan, "ms", measure({ locality: "any" }, 0.5)),
      await rounds(ctx.rounds, "unary mean, nearest (default)", wan, "ms", measure({}, "mean")),
      await rounds(
        ctx.rounds,
        "unary mean, any node",
        wan,
        "ms",
        measure({ locality: "any" }, "mean"),
      ),
    );
    const stats = selector.stats();
    ctx.figures.push({
      name: "calls served in the caller's cluster, nearest",
      payload: wan,
      unit: "%",
      value: Math.round((stats.cluster / (stats.cluster + stats.remote)) * 1000) / 10,
      spread: 0,
    });
  } finally {
    await Promise.all(connections.map((nc) => nc.close().catch(() => undefined)));
    await sc.stop();
    await Promise.all(proxies.map((p) => p.close()));
  }
}

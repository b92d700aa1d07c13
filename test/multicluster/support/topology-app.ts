import { connect, type NatsConnection, nuid } from "@nats-io/transport-node";
import {
  createGreeterClient,
  defineGreeter,
  type GreeterClient,
} from "../../../generated/example/greeter/v1/greeter_nats.js";
import { Greeter } from "../../../generated/example/greeter/v1/greeter_pb.js";
import { LocalitySelector } from "../../../runtime/balancing/locality-selector.js";
import { type NatsRuntime, natsRuntime } from "../../../runtime/nats/nats-runtime.js";
import { serve } from "../../../runtime/server/serve.js";
import type { Server } from "../../../runtime/server/server.js";

/** Registry timings small enough that a crashed instance leaves discovery within a second. */
export const topologyRegistry = { heartbeatIntervalMs: 200, ttlMs: 1_000, sweepIntervalMs: 100 };

/**
 * Connections, runtimes, greeter instances and clients of one test, in a
 * namespace of their own, all closed by `close()` even when the test fails.
 */
export class TopologyApp {
  readonly namespace = `m${nuid.next().slice(-10).toLowerCase()}`;
  private readonly connections: NatsConnection[] = [];
  private readonly runtimes: NatsRuntime[] = [];
  private readonly servers: Server[] = [];

  /** A connection that reconnects at once and forever (through a restart of its server). */
  async connect(servers: string | string[]): Promise<NatsConnection> {
    const nc = await connect({
      servers,
      noRandomize: true,
      reconnectTimeWait: 50,
      reconnectJitter: 0,
      maxReconnectAttempts: -1,
      noAsyncTraces: true,
    });
    this.connections.push(nc);
    return nc;
  }

  runtime(nc: NatsConnection, zone?: string): NatsRuntime {
    const rt = natsRuntime(nc, {
      namespace: this.namespace,
      registry: topologyRegistry,
      ...(zone !== undefined && { zone }),
    });
    this.runtimes.push(rt);
    return rt;
  }

  /** A greeter instance `id` whose answers say who served them, in `zone` if given. */
  async serveGreeter(nc: NatsConnection, id: string, zone?: string): Promise<Server> {
    const server = await serve(
      this.runtime(nc),
      [
        defineGreeter({
          sayHello: (req) => ({ message: `hello ${req.name}`, servedBy: id }),
          async *sayHelloStream() {},
          sayHelloToAll: async () => ({ servedBy: id }),
          async *chat() {},
        }),
      ],
      { id, ...(zone !== undefined && { zone }) },
    );
    this.servers.push(server);
    return server;
  }

  /** A greeter client with its own locality selector (to read its counts), in `zone` if given. */
  client(
    nc: NatsConnection,
    zone?: string,
  ): { client: GreeterClient; selector: LocalitySelector; rt: NatsRuntime } {
    const selector = new LocalitySelector();
    const rt = this.runtime(nc, zone);
    // A call in flight when its instance crashes is probed after 250 ms, fails
    // `Unavailable` (no responders) and, being idempotent, is retried elsewhere:
    // long before its 5 s deadline.
    const client = createGreeterClient(rt, { selector, livenessMs: 250 });
    return { client, selector, rt };
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.stop({ graceMs: 0 }).catch(() => undefined)));
    for (const rt of this.runtimes) await rt.registry.close().catch(() => undefined);
    await Promise.all(this.connections.map((nc) => (nc.isClosed() ? undefined : nc.close())));
  }
}

/**
 * Waits until `rt`'s registry knows every node in `ids`. A first lookup ends
 * 2 ms (`quietMs`) after the last answer it heard, so on a busy machine a
 * local node answering after a remote one reaches the cache just after it:
 * tests of where calls go start from discovery done, not from that race.
 */
export async function untilDiscovered(rt: NatsRuntime, ids: string[]): Promise<void> {
  const until = Date.now() + 10_000;
  for (;;) {
    const services = await rt.registry.getService(Greeter.typeName);
    const known = new Set(services.flatMap((s) => s.nodes.map((n) => n.id)));
    if (ids.every((id) => known.has(id))) return;
    if (Date.now() > until) throw new Error(`${ids.join(", ")} not discovered in time`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Calls `n` times in sequence; returns who served each call. */
export async function servedBy(client: GreeterClient, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await client.sayHello({ name: `c${i}` })).servedBy);
  return out;
}

/** The share of `served` equal to `id`, 0..1. */
export function share(served: string[], id: string): number {
  return served.filter((s) => s === id).length / Math.max(1, served.length);
}

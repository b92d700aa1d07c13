import type { NatsConnection } from "@nats-io/nats-core";
import { asyncDispose } from "../lifecycle/async-dispose.js";
import { zoneFromEnv } from "../locality/locality.js";
import { type Runtime, registerRuntimeFactory } from "../runtime.js";
import { NatsBroker } from "./broker/nats-broker.js";
import { ConnectionLocality } from "./connection-locality.js";
import { NatsRegistry, type NatsRegistryOptions } from "./registry/nats-registry.js";
import { natsServerExtension } from "./serve-extension.js";
import { NatsTransport } from "./transport/nats-transport.js";

export interface NatsRuntimeOptions {
  /**
   * Prefix of every subject protonats uses (RPC, discovery, events), so that
   * several environments can share one NATS cluster. Default: none.
   */
  namespace?: string;
  registry?: Omit<NatsRegistryOptions, "namespace">;
  /**
   * Zone (region, site) of this process: clients prefer nodes of their own
   * NATS cluster, then of this zone. Default: `PROTONATS_ZONE`, else none.
   */
  zone?: string;
  /** Largest header block a received RPC frame may have. Default 64 KiB (`defaultMaxHeaderBytes`). */
  maxHeaderBytes?: number;
  /**
   * The `inboxPrefix` the connection was opened with (`connect({ inboxPrefix })`),
   * under which replies and lookup answers are subscribed: set it when NATS
   * permissions only allow that prefix. Default: read from the connection
   * (a nats.js internal, see nats-internals.ts), else `_INBOX`.
   */
  inboxPrefix?: string;
}

/** A runtime on one NATS connection, with its connection exposed for ops tooling. */
export interface NatsRuntime extends Runtime {
  readonly nc: NatsConnection;
  readonly namespace: string | undefined;
  /**
   * `await using runtime = natsRuntime(nc, ...)`: closes the transport,
   * registry and broker (not the connection, which the caller owns).
   */
  [Symbol.asyncDispose](): Promise<void>;
}

const shared = new WeakMap<NatsConnection, NatsRuntime>();

/**
 * The NATS transport, registry and broker on one connection. Without options
 * the runtime is shared per connection, so every client and server made from
 * the same `NatsConnection` uses one reply subscription and one registry cache.
 */
export function natsRuntime(nc: NatsConnection, options?: NatsRuntimeOptions): NatsRuntime {
  if (options === undefined) {
    const existing = shared.get(nc);
    if (existing) return existing;
  }
  const namespace = options?.namespace;
  const ns = namespace === undefined ? {} : { namespace };
  const place = new ConnectionLocality(nc, options?.zone ?? zoneFromEnv());
  const transport = new NatsTransport(nc, {
    ...ns,
    ...(options?.maxHeaderBytes !== undefined && { maxHeaderBytes: options.maxHeaderBytes }),
    ...(options?.inboxPrefix !== undefined && { inboxPrefix: options.inboxPrefix }),
  });
  const runtime: NatsRuntime = {
    nc,
    locality: () => place.get(),
    namespace,
    transport,
    serverExtensions: [natsServerExtension(transport)],
    registry: new NatsRegistry(nc, {
      ...options?.registry,
      ...ns,
      ...(options?.inboxPrefix !== undefined && { inboxPrefix: options.inboxPrefix }),
    }),
    broker: new NatsBroker(nc, ns),
    async [asyncDispose]() {
      // A shared runtime disposed is replaced by a fresh one on the next natsRuntime(nc).
      if (shared.get(nc) === runtime) shared.delete(nc);
      await Promise.allSettled([
        runtime.registry.close(),
        runtime.broker.close(),
        runtime.transport.close(),
      ]);
    },
  };
  if (options === undefined) shared.set(nc, runtime);
  return runtime;
}

declare module "../runtime.js" {
  interface RuntimeSources {
    /** `serve(nc, ...)`, `createClient(..., nc)`: the shared runtime of the connection. */
    nats: NatsConnection;
  }
}

function isNatsConnection(value: object): value is NatsConnection {
  const nc = value as Partial<NatsConnection>;
  return (
    typeof nc.publish === "function" &&
    typeof nc.subscribe === "function" &&
    typeof nc.request === "function" &&
    typeof nc.closed === "function"
  );
}

registerRuntimeFactory((source) => (isNatsConnection(source) ? natsRuntime(source) : undefined));

import type { NatsConnection } from "@nats-io/transport-node";
import { NatsBroker } from "../broker/nats-broker.js";
import { NatsRegistry, type NatsRegistryOptions } from "../registry/nats-registry.js";
import type { Runtime } from "../runtime.js";
import { NatsTransport } from "../transport/nats-transport.js";

export interface NatsRuntimeOptions {
  /**
   * Prefix of every subject protonats uses (RPC, discovery, events), so that
   * several environments can share one NATS cluster. Default: none.
   */
  namespace?: string;
  registry?: Omit<NatsRegistryOptions, "namespace">;
  /** Largest header block a received RPC frame may have. Default 64 KiB (`defaultMaxHeaderBytes`). */
  maxHeaderBytes?: number;
}

/** A runtime on one NATS connection, with its connection exposed for ops tooling. */
export interface NatsRuntime extends Runtime {
  readonly nc: NatsConnection;
  readonly namespace: string | undefined;
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
  const runtime: NatsRuntime = {
    nc,
    namespace,
    transport: new NatsTransport(nc, {
      ...ns,
      ...(options?.maxHeaderBytes !== undefined && { maxHeaderBytes: options.maxHeaderBytes }),
    }),
    registry: new NatsRegistry(nc, { ...options?.registry, ...ns }),
    broker: new NatsBroker(nc, ns),
  };
  if (options === undefined) shared.set(nc, runtime);
  return runtime;
}

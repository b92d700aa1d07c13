import type { NatsConnection } from "@nats-io/nats-core";
import type { Broker } from "./broker/broker.js";
import type { NodeLocality } from "./locality/locality.js";
import { natsRuntime } from "./nats/nats-runtime.js";
import type { Registry } from "./registry/registry.js";
import type { Transport } from "./transport/transport.js";

/**
 * The three pluggable parts every client, server and event helper runs on.
 * `natsRuntime(nc)` builds the NATS ones (shared by everything made from the
 * same connection); `memoryRuntime()` builds in-process ones for unit tests.
 */
export interface Runtime {
  readonly transport: Transport;
  readonly registry: Registry;
  readonly broker: Broker;
  /**
   * Where this runtime's connection is (NATS cluster, server, zone), read on
   * every call so that it follows reconnections; clients prefer nodes near it.
   * Absent: no locality (every node is as near as any other).
   */
  readonly locality?: () => NodeLocality | undefined;
}

/** A runtime, or a NATS connection to build the shared NATS runtime from. */
export type RuntimeLike = Runtime | NatsConnection;

function isRuntime(value: RuntimeLike): value is Runtime {
  return "transport" in value && "registry" in value && "broker" in value;
}

/** The runtime to use for a `RuntimeLike` argument. */
export function resolveRuntime(value: RuntimeLike): Runtime {
  return isRuntime(value) ? value : natsRuntime(value);
}

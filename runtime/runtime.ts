import type { Broker } from "./broker/broker.js";
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
}

import { asyncDispose } from "../lifecycle/async-dispose.js";
import type { Runtime } from "../runtime.js";
import { MemoryBroker } from "./memory-broker.js";
import { MemoryRegistry } from "./memory-registry.js";
import { MemoryTransport, type MemoryTransportOptions } from "./memory-transport.js";

/** An in-process runtime: servers, clients and event subscribers on it reach each other. */
export interface MemoryRuntime extends Runtime {
  readonly transport: MemoryTransport;
  readonly registry: MemoryRegistry;
  readonly broker: MemoryBroker;
  /** `await using runtime = memoryRuntime()`: closes transport, registry and broker. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Transport, registry and broker in memory, with the semantics of the NATS
 * ones (checked by the same contract tests), for unit tests of services:
 *
 * ```ts
 * const runtime = memoryRuntime();
 * const server = await serve(runtime, [defineGreeter(greeter)]);
 * const client = createGreeterClient(runtime);
 * ```
 */
export function memoryRuntime(
  options: Omit<MemoryTransportOptions, "network"> = {},
): MemoryRuntime {
  const runtime: MemoryRuntime = {
    transport: new MemoryTransport(options),
    registry: new MemoryRegistry(),
    broker: new MemoryBroker(),
    async [asyncDispose]() {
      await Promise.allSettled([
        runtime.registry.close(),
        runtime.broker.close(),
        runtime.transport.close(),
      ]);
    },
  };
  return runtime;
}

/**
 * protonats/testing: in-process transport, registry and broker, for unit
 * tests of services without a NATS server.
 */

// Broker
export { MemoryBroker, type MemoryBrokerOptions } from "./memory-broker.js";
// Registry
export { MemoryRegistry } from "./memory-registry.js";
// Runtime
export { type MemoryRuntime, memoryRuntime } from "./memory-runtime.js";
// Transport
export {
  MemoryNetwork,
  MemoryTransport,
  type MemoryTransportOptions,
} from "./memory-transport.js";

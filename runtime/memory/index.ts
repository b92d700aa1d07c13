/**
 * protonats/testing: in-process transport, registry and broker, for unit
 * tests of services without a NATS server.
 */

// Registry
export { MemoryRegistry } from "./memory-registry.js";

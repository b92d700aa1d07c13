/**
 * protonats/protocol, on every platform: the contracts and building blocks
 * beneath the application API, for people who write transports, registries,
 * brokers, selectors, interceptors and tools, and for the code protoc-gen-nats
 * generates. Applications rarely need it; they import `protonats`. The Node
 * entry (`protocol.ts`) adds what needs Node. README.md's "API" section lists
 * every name, grouped by task (exports here are in path order, as the linter
 * sorts them).
 */

// Loading the NATS runtime registers it with `resolveRuntime`: generated code
// imports its values from this entry only, and must still accept a bare
// `NatsConnection` where a runtime is asked for.
import "./nats/nats-runtime.js";

// Load balancing: options and statistics of the selectors
export type {
  LocalitySelectorOptions,
  LocalityStats,
  SpillCounts,
} from "./balancing/locality-selector.js";
export { type EjectionOptions, ejectionDefaults } from "./balancing/outlier-ejection.js";
export type { PowerOfTwoChoicesOptions } from "./balancing/power-of-two-choices.js";
// Broker: the publish/subscribe contract and its helpers
export type * from "./broker/broker.js";
export { DeadLetterHeader } from "./broker/dead-letter-headers.js";
export { isPermanentFailure } from "./broker/permanent-failure.js";
export type { BrokerLogger } from "./broker/report.js";
export { defaultStreamLimits, type StreamLimits } from "./broker/stream-limits.js";
export { subjectMatches } from "./broker/subjects.js";
// Bounds a server puts on its clients
export {
  defaultMaxHeaderBytes,
  defaultServerLimits,
  type ServerLimits,
} from "./call/limits.js";
// Clients: what generated clients are built from; selector and retry contracts
export { createClient, defaultTimeoutMs } from "./client/create-client.js";
export { type MethodConfig, methodConfig, methodPath } from "./client/method-config.js";
export type { RetryContext, RetryPolicy } from "./client/retry-policy.js";
export {
  type CallOutcome,
  RoundRobinSelector,
  type SelectContext,
  type Selector,
} from "./client/selector.js";
// Generated binary codecs and the helpers they use
export {
  decodeBinary,
  decodeGroup,
  decodeNested,
  encodeBinary,
  encodeInit,
  encodeInitForSend,
  encodeNested,
  encodeNestedInit,
  initEntries,
  initList,
} from "./codec/binary.js";
export { CodecWriter } from "./codec/codec-writer.js";
export {
  codecOf,
  type InitFields,
  type InitOneof,
  type MessageCodec,
  maxDecodeDepth,
  registerCodec,
} from "./codec/message-codec.js";
// Errors: code names, what an RpcError is made of, the status on the wire
export { codeName } from "./errors/code.js";
export type { ErrorDetail, RpcErrorOptions } from "./errors/rpc-error.js";
export { type DecodedStatus, decodeStatus, encodeStatus } from "./errors/status-codec.js";
export { isUndelivered, markUndelivered } from "./errors/undelivered.js";
// Typed events: what generated event definitions are built from
export { defineEvent } from "./events/define-event.js";
export { EventTypeHeader } from "./events/event-headers.js";
export type {
  EventDefinition,
  EventHandler,
  EventIterator,
  EventOptions,
} from "./events/event-types.js";
// Interceptors: composing them, and the pieces of the built-in ones
export { type AnyFn, type AnyRequest, type AnyResponse, applyInterceptors } from "./interceptor.js";
export { type CallEndListener, observeCallEnd } from "./interceptors/call-end.js";
export type { CallLogEntry, LoggingOptions } from "./interceptors/logging-interceptor.js";
export type * from "./interceptors/otel-api.js";
export type { OtelOptions } from "./interceptors/otel-interceptor.js";
export {
  formatTraceparent,
  parseTraceparent,
  randomSpanId,
  randomTraceId,
  type TraceContext,
  traceparentHeader,
  tracestateHeader,
} from "./interceptors/traceparent.js";
// Locality: where nodes and callers are (NATS cluster, server, zone)
export type { LocalityPreference, NodeLocality } from "./locality/locality.js";
// Metrics: the parts of CallMetrics
export type { MethodMetrics } from "./metrics/call-metrics.js";
export {
  defaultLatencyBucketsMs,
  type HistogramSnapshot,
  LatencyHistogram,
} from "./metrics/latency-histogram.js";
export { observeCalls, observeErrors } from "./metrics/observers.js";
// Names of methods on clients and handlers
export { methodKey } from "./naming.js";
// NATS: broker (JetStream), micro protocol ($SRV), permission pieces, registry, transport
export { durableDefaults, NatsBroker, type NatsBrokerOptions } from "./nats/broker/nats-broker.js";
export { MicroMetadataKey, microServiceName, microVersion } from "./nats/micro/micro-naming.js";
export {
  type MicroResponder,
  type MicroServiceInfo,
  startMicroResponder,
} from "./nats/micro/micro-responder.js";
export type * from "./nats/micro/micro-responses.js";
export type { NatsUser } from "./nats/permissions/authorization-block.js";
export type {
  ClientScope,
  NatsPermissions,
  PermissionScope,
  ServiceRef,
} from "./nats/permissions/service-permissions.js";
export { NatsRegistry, type NatsRegistryOptions } from "./nats/registry/nats-registry.js";
export { registryDefaults } from "./nats/registry/nats-registry-options.js";
export type { RecordSignature, RecordSigningOptions } from "./nats/registry/record-signing.js";
export { type RegistryLimits, registryLimitDefaults } from "./nats/registry/registry-limits.js";
export { NatsTransport, type NatsTransportOptions } from "./nats/transport/nats-transport.js";
// Registry: the discovery contract
export type * from "./registry/registry.js";
// Retries: the parts of StandardRetryPolicy
export { fullJitterBackoff } from "./retry/backoff.js";
export { RetryBudget, type RetryBudgetOptions, retryBudgetDefaults } from "./retry/retry-budget.js";
export { retryDefaults, type StandardRetryOptions } from "./retry/standard-retry-policy.js";
// The runtime contract
export { type Runtime, resolveRuntime } from "./runtime.js";
// Servers: what generated service definitions are built from; observers
export { defineService, type ServiceRegistration } from "./server/define-service.js";
export type { CallRecord, ServerObserver } from "./server/observer.js";
export type { ServerLogger } from "./server/unexpected-error.js";
// Client and handler shapes of any service
export type * from "./service-types.js";
// Transport: the contract, frames, wire headers
export type * from "./transport/transport.js";
export {
  contentTypeProto,
  Header as WireHeader,
  reservedPrefix,
} from "./transport/wire-headers.js";

/**
 * The protonats runtime that runs on every platform: anything with a
 * `NatsConnection` of the NATS client's core package (Node, Deno, Bun, a
 * browser's `wsconnect`). The package's entry for browsers and Deno; the Node
 * entry (`index.ts`) adds what needs Node.
 */

// Load balancing: node selectors
export { EjectingRoundRobinSelector } from "./balancing/ejecting-round-robin.js";
export {
  LocalitySelector,
  type LocalitySelectorOptions,
  type LocalityStats,
  type SpillCounts,
} from "./balancing/locality-selector.js";
export { type EjectionOptions, ejectionDefaults } from "./balancing/outlier-ejection.js";
export {
  type PowerOfTwoChoicesOptions,
  PowerOfTwoChoicesSelector,
} from "./balancing/power-of-two-choices.js";

// Broker: publish/subscribe, durable on JetStream
export type * from "./broker/broker.js";
export { DeadLetterHeader } from "./broker/dead-letter-headers.js";
export { isPermanentFailure } from "./broker/permanent-failure.js";
export type { BrokerLogger } from "./broker/report.js";
export { defaultStreamLimits, type StreamLimits } from "./broker/stream-limits.js";
export { subjectMatches } from "./broker/subjects.js";
// Transport: pseudo connections
export {
  defaultMaxHeaderBytes,
  defaultServerLimits,
  type ServerLimits,
} from "./call/limits.js";

// Clients: calls, options, interceptors, selector and retry contracts
export type { CallOptions } from "./client/call-options.js";
export type { ClientOptions } from "./client/client-options.js";
export { createClient, defaultTimeoutMs } from "./client/create-client.js";
export { type MethodConfig, methodConfig, methodPath } from "./client/method-config.js";
export type { RetryContext, RetryPolicy } from "./client/retry-policy.js";
export {
  type CallOutcome,
  RoundRobinSelector,
  type SelectContext,
  type Selector,
} from "./client/selector.js";
// Generated binary codecs (protoc-gen-nats) and the helpers that use them
export {
  decodeBinary,
  decodeGroup,
  decodeNested,
  encodeBinary,
  encodeNested,
} from "./codec/binary.js";
export { CodecWriter } from "./codec/codec-writer.js";
export {
  codecOf,
  type MessageCodec,
  maxDecodeDepth,
  registerCodec,
} from "./codec/message-codec.js";
// Errors
export { Code, codeName } from "./errors/code.js";
export {
  type ErrorDetail,
  errorDetail,
  RpcError,
  type RpcErrorOptions,
} from "./errors/rpc-error.js";
export { type DecodedStatus, decodeStatus, encodeStatus } from "./errors/status-codec.js";
export { isUndelivered, markUndelivered } from "./errors/undelivered.js";
// Typed events
export { defineEvent } from "./events/define-event.js";
export { EventTypeHeader } from "./events/event-headers.js";
export type {
  EventContext,
  EventDefinition,
  EventHandler,
  EventIterator,
  EventOptions,
  EventPublishOptions,
  EventSubscribeOptions,
  EventSubscription,
  ReceivedEvent,
} from "./events/event-types.js";
export {
  type AnyFn,
  type AnyRequest,
  type AnyResponse,
  applyInterceptors,
  type Interceptor,
  type StreamRequest,
  type StreamResponse,
  type UnaryRequest,
  type UnaryResponse,
} from "./interceptor.js";

// Interceptor library: logging, metrics, trace context, OpenTelemetry
export { type CallEndListener, observeCallEnd } from "./interceptors/call-end.js";
export {
  type CallLogEntry,
  type LoggingOptions,
  loggingInterceptor,
} from "./interceptors/logging-interceptor.js";
export { metricsInterceptor } from "./interceptors/metrics-interceptor.js";
export type * from "./interceptors/otel-api.js";
export { type OtelOptions, otelInterceptor } from "./interceptors/otel-interceptor.js";
export {
  formatTraceparent,
  parseTraceparent,
  randomSpanId,
  randomTraceId,
  type TraceContext,
  traceparentHeader,
  tracestateHeader,
} from "./interceptors/traceparent.js";
// Lifecycle: `await using`
export { asyncDispose } from "./lifecycle/async-dispose.js";
// Locality: where nodes and callers are (NATS cluster, server, zone)
export type { LocalityPreference, NodeLocality } from "./locality/locality.js";
// Metrics
export { CallMetrics, type MethodMetrics } from "./metrics/call-metrics.js";
export {
  defaultLatencyBucketsMs,
  type HistogramSnapshot,
  LatencyHistogram,
} from "./metrics/latency-histogram.js";
export { observeCalls, observeErrors } from "./metrics/observers.js";
// Names of methods on clients and handlers
export { methodKey } from "./naming.js";
export { durableDefaults, NatsBroker, type NatsBrokerOptions } from "./nats/broker/nats-broker.js";
// NATS micro protocol ($SRV)
export { MicroMetadataKey, microServiceName, microVersion } from "./nats/micro/micro-naming.js";
export {
  type MicroResponder,
  type MicroServiceInfo,
  startMicroResponder,
} from "./nats/micro/micro-responder.js";
export type * from "./nats/micro/micro-responses.js";
// NATS runtime on any connection of the NATS client (Node, Deno, Bun, browser WebSocket)
export { type NatsRuntime, type NatsRuntimeOptions, natsRuntime } from "./nats/nats-runtime.js";
// NATS permissions for serving and calling services
export { authorizationBlock, type NatsUser } from "./nats/permissions/authorization-block.js";
export {
  type ClientScope,
  clientPermissions,
  combinePermissions,
  type NatsPermissions,
  type PermissionScope,
  type ServiceRef,
  serverPermissions,
} from "./nats/permissions/service-permissions.js";
// Discovery
export { NatsRegistry, type NatsRegistryOptions } from "./nats/registry/nats-registry.js";
export { registryDefaults } from "./nats/registry/nats-registry-options.js";
export type { RecordSignature, RecordSigningOptions } from "./nats/registry/record-signing.js";
export { type RegistryLimits, registryLimitDefaults } from "./nats/registry/registry-limits.js";
export { NatsTransport, type NatsTransportOptions } from "./nats/transport/nats-transport.js";
export type * from "./registry/registry.js";
// Retries
export { fullJitterBackoff } from "./retry/backoff.js";
export { RetryBudget, type RetryBudgetOptions, retryBudgetDefaults } from "./retry/retry-budget.js";
export {
  noRetry,
  retryDefaults,
  type StandardRetryOptions,
  StandardRetryPolicy,
} from "./retry/standard-retry-policy.js";
// The runtime contract
export { type Runtime, type RuntimeLike, resolveRuntime } from "./runtime.js";
// Servers
export { defineService, type ServiceRegistration } from "./server/define-service.js";
export type { HandlerContext } from "./server/handler-context.js";
export type { CallRecord, ServerObserver } from "./server/observer.js";
export { serve } from "./server/serve.js";
export type { Server } from "./server/server.js";
export type { ServeOptions, ServiceOptions, StopOptions } from "./server/service-options.js";
export type { ServerLogger } from "./server/unexpected-error.js";
// Client and handler shapes for any service
export type * from "./service-types.js";
export type * from "./transport/transport.js";
export {
  contentTypeProto,
  Header as WireHeader,
  reservedPrefix,
} from "./transport/wire-headers.js";

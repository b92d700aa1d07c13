/**
 * The protonats API an application types, on every platform: anything with a
 * `NatsConnection` of the NATS client's core package (Node, Deno, Bun, a
 * browser's `wsconnect`). The package's entry for browsers and Deno; the Node
 * entry (`index.ts`) adds what needs Node. Contracts and building blocks for
 * transports, interceptors, tools and generated code live in
 * `protonats/protocol` (`protocol-portable.ts`), so this list stays short.
 * README.md's "API" section lists every name, grouped by task;
 * test/structure/public-api.test.ts keeps the two in step. (Exports here are
 * in path order, as the linter sorts them.)
 */

// Load balancing: node selectors
export { EjectingRoundRobinSelector } from "./balancing/ejecting-round-robin.js";
export { LocalitySelector } from "./balancing/locality-selector.js";
export { PowerOfTwoChoicesSelector } from "./balancing/power-of-two-choices.js";
// Calling
export type { CallOptions } from "./client/call-options.js";
export type { ClientOptions } from "./client/client-options.js";
// Errors
export { Code } from "./errors/code.js";
export { errorDetail, RpcError } from "./errors/rpc-error.js";
// Events, as a subscriber and publisher see them
export type {
  EventContext,
  EventPublishOptions,
  EventSubscribeOptions,
  EventSubscription,
  ReceivedEvent,
} from "./events/event-types.js";
// Interceptors and the built-in ones
export type {
  Interceptor,
  StreamRequest,
  StreamResponse,
  UnaryRequest,
  UnaryResponse,
} from "./interceptor.js";
export { loggingInterceptor } from "./interceptors/logging-interceptor.js";
export { metricsInterceptor } from "./interceptors/metrics-interceptor.js";
export { otelInterceptor } from "./interceptors/otel-interceptor.js";
// Lifecycle: `await using` on Node before 20.4
export { asyncDispose } from "./lifecycle/async-dispose.js";
// Metrics: per-method counts and latency (an interceptor's and a server's)
export { CallMetrics } from "./metrics/call-metrics.js";
// Runtime: transport, registry and broker on one NATS connection
export { type NatsRuntime, type NatsRuntimeOptions, natsRuntime } from "./nats/nats-runtime.js";
// NATS permissions for serving and calling services
export { authorizationBlock } from "./nats/permissions/authorization-block.js";
export {
  clientPermissions,
  combinePermissions,
  serverPermissions,
} from "./nats/permissions/service-permissions.js";
// Retries
export { noRetry, StandardRetryPolicy } from "./retry/standard-retry-policy.js";
// What functions that take a runtime accept: a runtime or a NATS connection
export type { RuntimeLike } from "./runtime.js";
// Serving
export type { HandlerContext } from "./server/handler-context.js";
export { serve } from "./server/serve.js";
export type { Server } from "./server/server.js";
export type { ServeOptions, ServiceOptions, StopOptions } from "./server/service-options.js";

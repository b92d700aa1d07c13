/**
 * protonats on Node: the portable API (`portable.ts`) plus what needs Node.
 * Contracts and building blocks are in `protonats/protocol` (`protocol.ts`).
 */

// Trace context carried through async calls (AsyncLocalStorage)
export { traceContextInterceptor } from "./interceptors/trace-context-interceptor.js";
// Graceful shutdown on SIGINT/SIGTERM
export { stopOnSignals } from "./lifecycle/stop-on-signals.js";
// Connecting from options, environment and credential files
export { type ConnectOptions, connectNats, optionsFromEnv } from "./nats/connect.js";
export * from "./portable.js";

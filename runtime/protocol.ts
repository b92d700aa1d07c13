/**
 * protonats/protocol on Node: the portable contracts and building blocks
 * (`protocol-portable.ts`) plus the pieces of the Node-only application API.
 */

// Trace context carried through async calls (AsyncLocalStorage)
export {
  currentTraceContext,
  type TraceContextOptions,
  withTraceContext,
} from "./interceptors/trace-context-interceptor.js";
// Graceful shutdown on SIGINT/SIGTERM
export type { StopOnSignalsOptions, Stoppable } from "./lifecycle/stop-on-signals.js";
// Connecting: the server list of `NATS_URL` or the `servers` option
export { parseServers } from "./nats/connect.js";
export * from "./protocol-portable.js";

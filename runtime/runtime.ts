import type { Broker } from "./broker/broker.js";
import { Code } from "./errors/code.js";
import { RpcError } from "./errors/rpc-error.js";
import type { NodeLocality } from "./locality/locality.js";
import type { Registry } from "./registry/registry.js";
import type { ServerExtension } from "./server/server-extension.js";
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
  /**
   * What `serve()` also starts on this runtime beside the transport and the
   * registry (on NATS: the `$SRV` responders and the descriptor endpoint).
   */
  readonly serverExtensions?: readonly ServerExtension[];
}

/**
 * What else than a `Runtime` a runtime can be made from, filled in by the
 * adapters (the NATS one adds its `NatsConnection`) through declaration
 * merging, so that the core names no adapter and still types them exactly.
 */
// biome-ignore lint/suspicious/noEmptyInterface: adapters merge their sources into it
export interface RuntimeSources {}

/** A runtime, or something an adapter builds one from (a NATS connection). */
export type RuntimeLike = Runtime | RuntimeSources[keyof RuntimeSources];

type RuntimeFactory = (source: object) => Runtime | undefined;
const factories: RuntimeFactory[] = [];

/**
 * Lets an adapter turn its own connection objects into runtimes; it answers
 * undefined for a source that is not its own. The NATS adapter registers
 * itself when `protonats` or `protonats/protocol` is imported.
 */
export function registerRuntimeFactory(factory: RuntimeFactory): void {
  if (!factories.includes(factory)) factories.push(factory);
}

function isRuntime(value: object): value is Runtime {
  return "transport" in value && "registry" in value && "broker" in value;
}

/** The runtime to use for a `RuntimeLike` argument. */
export function resolveRuntime(value: RuntimeLike): Runtime {
  const source = value as object;
  if (isRuntime(source)) return source;
  for (const factory of factories) {
    const runtime = factory(source);
    if (runtime) return runtime;
  }
  throw new RpcError(
    Code.InvalidArgument,
    "not a runtime: pass a Runtime or a NATS connection (import protonats, which adds NATS)",
  );
}

import { serverLimits, streamDefaults } from "../call/limits.js";
import { zoneFromEnv } from "../locality/locality.js";
import { randomId } from "../platform/random-id.js";
import type { ServiceNode } from "../registry/registry.js";
import { type RuntimeLike, resolveRuntime } from "../runtime.js";
import { compactCallsKey } from "../wire/compact-call.js";
import { CallDispatcher } from "./call-dispatcher.js";
import type { ServiceRegistration } from "./define-service.js";
import { methodTable } from "./method-table.js";
import { RpcServer, type Server, stopAll } from "./server.js";
import type { StartedExtension } from "./server-extension.js";
import { serviceInfo } from "./service-info.js";
import type { ServeOptions } from "./service-options.js";

/**
 * Serves `services`: listens on a fresh node address, starts the runtime's
 * server extensions (on NATS: each unary method's micro endpoint subject
 * `[ns.][prefix.]<package.Service>.<Method>` in queue group `q`, and `$SRV`),
 * then registers every service with this node. Resolves once calls can arrive.
 */
export async function serve(
  runtime: RuntimeLike,
  services: ServiceRegistration[],
  options: ServeOptions = {},
): Promise<Server> {
  const rt = resolveRuntime(runtime);
  const id = options.id ?? randomId();
  const methods = methodTable(services, options.interceptors ?? []);
  const limits = serverLimits(options.limits);
  const dispatcher = new CallDispatcher(methods, {
    streams: {
      window: Math.min(options.window ?? streamDefaults.window, limits.maxWindow),
      heartbeatMs: options.heartbeatMs ?? streamDefaults.heartbeatMs,
      missedHeartbeats: options.missedHeartbeats ?? streamDefaults.missedHeartbeats,
    },
    limits,
    observers: options.observers ?? [],
    logger: options.logger === false ? undefined : (options.logger ?? console),
    maxPayload: () => rt.transport.maxPayload,
  });
  const names = services.map((reg) => reg.service.typeName);
  const listener = await rt.transport.listen({ nodeId: id, services: names }, dispatcher);
  // The registry adds the NATS cluster and server the node is connected to.
  const zone = options.zone ?? zoneFromEnv();
  // Clients send this server's calls in the compact form (runtime/wire/compact-call.ts).
  const metadata = { ...options.metadata, [compactCallsKey]: "1" };
  const infos = services.map((reg) => {
    const node: ServiceNode = { id, address: listener.addressOf(reg.service.typeName), metadata };
    if (zone !== undefined) node.locality = { zone };
    return serviceInfo(reg.service, reg.options, node);
  });
  const extensions: StartedExtension[] = [];
  try {
    // An extension that cannot start (e.g. NATS refused its subscriptions) fails
    // serve() before anything is announced.
    const served = { id, services, infos, listener, acceptor: dispatcher, options };
    for (const extension of rt.serverExtensions ?? []) {
      const started = await extension.start(served);
      extensions.push(started);
      if (started.observer) dispatcher.observe(started.observer);
    }
  } catch (error) {
    await listener.close();
    await stopAll(extensions);
    throw error;
  }
  const server = new RpcServer({ id, runtime: rt, dispatcher, listener, infos, extensions });
  try {
    for (const info of infos) await rt.registry.register(info);
  } catch (error) {
    await server.stop({ graceMs: 0 });
    throw error;
  }
  return server;
}

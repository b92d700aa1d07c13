import { serverLimits } from "../call/limits.js";
import { zoneFromEnv } from "../locality/locality.js";
import { randomId } from "../platform/random-id.js";
import type { ServiceNode } from "../registry/registry.js";
import { type RuntimeLike, resolveRuntime } from "../runtime.js";
import type { ServiceRegistration } from "./define-service.js";
import { methodTable } from "./method-table.js";
import { RpcServer, type Server } from "./server.js";
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
  const observers = [...(options.observers ?? [])];
  const limits = serverLimits(options.limits);
  const server = new RpcServer(
    id,
    rt,
    methods,
    [],
    observers,
    {
      window: Math.min(options.window ?? 64, limits.maxWindow),
      heartbeatMs: options.heartbeatMs ?? 5_000,
      missedHeartbeats: options.missedHeartbeats ?? 3,
    },
    limits,
    options.logger === false ? undefined : (options.logger ?? console),
  );
  const names = services.map((reg) => reg.service.typeName);
  const listener = await rt.transport.listen({ nodeId: id, services: names }, server);
  server.listener = listener;
  // The registry adds the NATS cluster and server the node is connected to.
  const zone = options.zone ?? zoneFromEnv();
  const metadata = options.metadata ?? {};
  for (const reg of services) {
    const address = listener.addressOf(reg.service.typeName);
    const node: ServiceNode = { id, address, metadata };
    if (zone !== undefined) node.locality = { zone };
    server.infos.push(serviceInfo(reg.service, reg.options, node));
  }
  try {
    // An extension that cannot start (e.g. NATS refused its subscriptions) fails
    // serve() before anything is announced.
    const served = { id, services, infos: server.infos, listener, acceptor: server, options };
    for (const extension of rt.serverExtensions ?? []) {
      const started = await extension.start(served);
      server.cleanups.push(async () => started.stop());
      if (started.stopTakingCalls) server.beforeStop.push(() => started.stopTakingCalls?.());
      if (started.observer) observers.push(started.observer);
    }
    for (const info of server.infos) await rt.registry.register(info);
  } catch (error) {
    await server.stop({ graceMs: 0 });
    throw error;
  }
  return server;
}

import { serverLimits } from "../call/limits.js";
import { zoneFromEnv } from "../locality/locality.js";
import { randomId } from "../platform/random-id.js";
import type { ServiceNode } from "../registry/registry.js";
import { type RuntimeLike, resolveRuntime } from "../runtime.js";
import type { EndpointBinding } from "../transport/transport.js";
import type { ServiceRegistration } from "./define-service.js";
import { methodTable } from "./method-table.js";
import { RpcServer, type Server } from "./server.js";
import { serviceInfo, subjectPrefix } from "./service-info.js";
import type { ServeOptions } from "./service-options.js";

/**
 * Request messages a stream's client may send ahead of the handler unless
 * `serve(..., { window })` says otherwise. With 64 (re-granted every 32) a
 * bidi stream sent at most one credit's worth per round trip; 256 measured
 * ~+25-60 % echoed msgs/s. It bounds what one stream's client can make the
 * server buffer (256 decoded requests; streams per client are bounded too).
 */
export const defaultRequestWindow = 256;

/**
 * Serves `services`: listens on a fresh node address (plus, on NATS, each
 * unary method's micro endpoint subject `[ns.][prefix.]<package.Service>.<Method>`
 * in queue group `q`), then registers every service with this node. Resolves
 * once calls can arrive.
 */
export async function serve(
  runtime: RuntimeLike,
  services: ServiceRegistration[],
  options: ServeOptions = {},
): Promise<Server> {
  const rt = resolveRuntime(runtime);
  const id = options.id ?? randomId();
  const methods = methodTable(services, options.interceptors ?? []);
  const endpoints: EndpointBinding[] = [];
  for (const reg of services) {
    const prefix = subjectPrefix(reg.service);
    for (const m of reg.service.methods) {
      if (m.methodKind !== "unary") continue;
      const subject = `${prefix ? `${prefix}.` : ""}${reg.service.typeName}.${m.name}`;
      endpoints.push({ subject, queue: "q", method: `/${reg.service.typeName}/${m.name}` });
    }
  }
  const observers = [...(options.observers ?? [])];
  const limits = serverLimits(options.limits);
  const server = new RpcServer(
    id,
    rt,
    methods,
    [],
    observers,
    {
      window: Math.min(options.window ?? defaultRequestWindow, limits.maxWindow),
      heartbeatMs: options.heartbeatMs ?? 5_000,
      missedHeartbeats: options.missedHeartbeats ?? 3,
    },
    limits,
    options.logger === false ? undefined : (options.logger ?? console),
  );
  const names = services.map((reg) => reg.service.typeName);
  const listener = await rt.transport.listen({ nodeId: id, endpoints, services: names }, server);
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
    const served = { id, services, infos: server.infos, listener, options };
    for (const extension of rt.serverExtensions ?? []) {
      const started = await extension.start(served);
      server.cleanups.push(async () => started.stop());
      if (started.observer) observers.push(started.observer);
    }
    for (const info of server.infos) await rt.registry.register(info);
  } catch (error) {
    await server.stop({ graceMs: 0 });
    throw error;
  }
  return server;
}

import { nuid } from "@nats-io/nats-core";
import { zoneFromEnv } from "../locality/locality.js";
import { startMicroResponder } from "../micro/micro-responder.js";
import type { ServiceNode } from "../registry/registry.js";
import { type RuntimeLike, resolveRuntime } from "../runtime.js";
import { serverLimits } from "../transport/limits.js";
import { NatsTransport } from "../transport/nats-transport.js";
import type { EndpointBinding, Listener } from "../transport/transport.js";
import type { ServiceRegistration } from "./define-service.js";
import { startDescriptorResponder } from "./descriptor-responder.js";
import { methodTable } from "./method-table.js";
import type { ServerObserver } from "./observer.js";
import { RpcServer, type Server } from "./server.js";
import { serviceInfo, serviceVersion, subjectPrefix } from "./service-info.js";
import type { ServeOptions } from "./service-options.js";

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
  const id = options.id ?? nuid.next();
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
      window: Math.min(options.window ?? 64, limits.maxWindow),
      heartbeatMs: options.heartbeatMs ?? 5_000,
      missedHeartbeats: options.missedHeartbeats ?? 3,
    },
    limits,
    options.logger === false ? undefined : (options.logger ?? console),
  );
  const names = services.map((reg) => reg.service.typeName);
  const listener = await rt.transport.listen({ nodeId: id, endpoints, services: names }, server);
  server.listener = listener;
  const ready: (() => Promise<void>)[] = [];
  if (rt.transport instanceof NatsTransport) {
    observers.push(startMicro(rt.transport, server, services, listener, options, ready));
  }
  // The registry adds the NATS cluster and server the node is connected to.
  const zone = options.zone ?? zoneFromEnv();
  const metadata = options.metadata ?? {};
  try {
    // `$SRV` subscriptions NATS permissions refused fail serve() before anything is announced.
    await Promise.all(ready.map((r) => r()));
    for (const reg of services) {
      const address = listener.addressOf(reg.service.typeName);
      const node: ServiceNode = { id, address, metadata };
      if (zone !== undefined) node.locality = { zone };
      const info = serviceInfo(reg.service, reg.options, node);
      server.infos.push(info);
      if (rt.transport instanceof NatsTransport && info.fileDescriptors) {
        const { nc, namespace } = rt.transport;
        server.cleanups.push(
          startDescriptorResponder(nc, namespace, info.name, info.fileDescriptors),
        );
      }
      await rt.registry.register(info);
    }
  } catch (error) {
    await server.stop({ graceMs: 0 });
    throw error;
  }
  return server;
}

/**
 * Makes every service visible to `nats micro ls|info|stats|ping`: one `$SRV`
 * responder per service, fed the call records of that service only.
 */
function startMicro(
  transport: NatsTransport,
  server: RpcServer,
  services: ServiceRegistration[],
  listener: Listener,
  options: ServeOptions,
  ready: (() => Promise<void>)[],
): ServerObserver {
  const byService = new Map<string, ServerObserver>();
  for (const reg of services) {
    const name = reg.service.typeName;
    const responder = startMicroResponder(transport.nc, {
      name,
      version: serviceVersion(reg.service, reg.options),
      id: server.id,
      metadata: { ...options.metadata, ...reg.options.metadata },
      ...(options.description !== undefined && { description: options.description }),
      endpoints: listener.endpoints
        .filter((e) => e.method.startsWith(`/${name}/`))
        .map((e) => ({
          name: e.method.slice(name.length + 2),
          subject: e.subject,
          queueGroup: e.queue,
          metadata: {},
        })),
    });
    byService.set(name, responder.observer);
    ready.push(() => responder.ready());
    server.cleanups.push(() => responder.stop());
  }
  return { callFinished: (record) => byService.get(record.service)?.callFinished(record) };
}

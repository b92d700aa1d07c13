import type { ServerObserver } from "../server/observer.js";
import type { ServedNode, ServerExtension, StartedExtension } from "../server/server-extension.js";
import { serviceVersion } from "../server/service-info.js";
import { startDescriptorResponder } from "./micro/descriptor-responder.js";
import { endpointBindings, serveEndpoints } from "./micro/micro-endpoints.js";
import { startMicroResponder } from "./micro/micro-responder.js";
import type { NatsTransport } from "./transport/nats-transport.js";

/**
 * What the NATS runtime starts beside every served node: the micro endpoint
 * subjects of its unary methods (shared by all instances in queue group `q`;
 * stopped first when the server stops, so that other instances take those
 * calls while this one finishes its own), one `$SRV` responder per service
 * (so `nats micro ls|info|stats|ping` sees it, fed the call records of that
 * service only) and the descriptor endpoint tools use for reflection.
 */
export function natsServerExtension(transport: NatsTransport): ServerExtension {
  return { start: (node) => startForNode(transport, node) };
}

async function startForNode(transport: NatsTransport, node: ServedNode): Promise<StartedExtension> {
  const { nc, namespace } = transport;
  const stops: (() => Promise<void> | void)[] = [];
  const byService = new Map<string, ServerObserver>();
  const stop = () => Promise.all(stops.map((s) => s())).then(() => undefined);
  const endpoints = endpointBindings(namespace, node.services);
  let stopEndpoints = async () => {};
  try {
    const served = await serveEndpoints(transport, endpoints, node.acceptor);
    stopEndpoints = () => served.stop();
    stops.push(stopEndpoints);
    for (const reg of node.services) {
      const name = reg.service.typeName;
      const responder = startMicroResponder(nc, {
        name,
        version: serviceVersion(reg.service, reg.options),
        id: node.id,
        metadata: { ...node.options.metadata, ...reg.options.metadata },
        ...(node.options.description !== undefined && {
          description: node.options.description,
        }),
        endpoints: endpoints
          .filter((e) => e.method.startsWith(`/${name}/`))
          .map((e) => ({
            name: e.method.slice(name.length + 2),
            subject: e.subject,
            queueGroup: e.queue,
            metadata: {},
          })),
      });
      stops.push(() => responder.stop());
      byService.set(name, responder.observer);
      // `$SRV` subscriptions NATS permissions refused reject here.
      await responder.ready();
    }
    for (const info of node.infos) {
      if (info.fileDescriptors) {
        stops.push(startDescriptorResponder(nc, namespace, info.name, info.fileDescriptors));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    observer: { callFinished: (record) => byService.get(record.service)?.callFinished(record) },
    stopTakingCalls: stopEndpoints,
    stop,
  };
}

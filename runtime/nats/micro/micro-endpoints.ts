import type { Subscription } from "@nats-io/nats-core";
import type { RpcError } from "../../errors/rpc-error.js";
import type { ServiceRegistration } from "../../server/define-service.js";
import { subjectPrefix } from "../../server/service-info.js";
import { namespaced } from "../../transport/subjects.js";
import type { Acceptor } from "../../transport/transport.js";
import { ServerConnections } from "../../wire/server-connections.js";
import type { NatsTransport } from "../transport/nats-transport.js";
import { subscribeDenied } from "../transport/permission-errors.js";

/**
 * A subject on which an instance takes unary calls for one method: the NATS
 * micro endpoint, shared by all instances through a queue group, where plain
 * `nats req` clients can reach the method without knowing any node.
 */
export interface EndpointBinding {
  /** Subject with namespace, e.g. `example.greeter.v1.Greeter.SayHello`. */
  subject: string;
  /** Queue group; NATS micro's default is `q`. */
  queue: string;
  /** Method path `/package.Service/Method` the subject stands for. */
  method: string;
}

/**
 * The endpoint of every unary method of `services`:
 * `[ns.][subject_prefix.]<package.Service>.<Method>` in queue group `q`.
 */
export function endpointBindings(
  namespace: string | undefined,
  services: readonly ServiceRegistration[],
): EndpointBinding[] {
  const endpoints: EndpointBinding[] = [];
  for (const reg of services) {
    const prefix = subjectPrefix(reg.service);
    for (const m of reg.service.methods) {
      if (m.methodKind !== "unary") continue;
      const subject = `${prefix ? `${prefix}.` : ""}${reg.service.typeName}.${m.name}`;
      endpoints.push({
        subject: namespaced(namespace, subject),
        queue: "q",
        method: `/${reg.service.typeName}/${m.name}`,
      });
    }
  }
  return endpoints;
}

/** An instance's endpoint subscriptions. */
export interface ServedEndpoints {
  /**
   * Stops taking calls on the shared endpoint subjects (other instances take
   * them); calls already delivered here are still handled. Idempotent.
   */
  stop(): Promise<void>;
}

/**
 * Subscribes `endpoints` and hands their calls to `acceptor` (the server
 * behind the instance's own addresses), through the same pseudo-connection
 * bookkeeping as the addresses. Rejects `PermissionDenied` when NATS refused
 * a subscription (after undoing the others).
 */
export async function serveEndpoints(
  transport: NatsTransport,
  endpoints: readonly EndpointBinding[],
  acceptor: Acceptor,
): Promise<ServedEndpoints> {
  const connections = new ServerConnections(transport, acceptor);
  let denied: RpcError | undefined;
  let subscriptions: Subscription[] = endpoints.map((e) =>
    transport.nc.subscribe(e.subject, {
      queue: e.queue,
      callback: (err, msg) => {
        if (err) denied ??= subscribeDenied(e.subject, err);
        else transport.receive(connections, msg, undefined, e.method);
      },
    }),
  );
  const stop = async () => {
    const subs = subscriptions;
    subscriptions = [];
    // drain: messages already delivered to this instance are still handled.
    await Promise.all(subs.map((s) => s.drain().catch(() => undefined)));
  };
  // The server's -ERR for a refused subscription arrives before the PONG.
  await transport.nc.flush();
  if (denied !== undefined) {
    await stop();
    throw denied;
  }
  return { stop };
}

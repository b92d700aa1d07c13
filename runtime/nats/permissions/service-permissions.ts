import type { DescService } from "@bufbuild/protobuf";
import { subjectPrefix } from "../../server/service-info.js";
import { namespaced, serviceAddress } from "../../transport/subjects.js";
import { descriptorSubject } from "../micro/descriptor-responder.js";
import { microServiceName } from "../micro/micro-naming.js";
import { registrySubjects } from "../registry/registry-subjects.js";

/** A nats-server user's subject permissions (the `permissions` block of a user). */
export interface NatsPermissions {
  publish: { allow: string[] };
  subscribe: { allow: string[] };
}

/** A service by its descriptor (its subject prefix option is honoured) or by its full name. */
export type ServiceRef = DescService | string;

export interface PermissionScope {
  /** The runtime's namespace, if any (`natsRuntime(nc, { namespace })`). */
  namespace?: string;
}

export interface ClientScope extends PermissionScope {
  /**
   * The inbox prefix the client connects with (`connect({ inboxPrefix })`),
   * under `_INBOX.` so servers may answer it: e.g. `_INBOX.web`. Only this
   * user can then read replies and registry answers sent to it.
   */
  inboxPrefix: string;
  /**
   * May subscribe to registry announcements (default true). Without it
   * lookups still work, by asking the network each time instead of using an
   * exact cache.
   */
  watch?: boolean;
}

function nameOf(service: ServiceRef): string {
  return typeof service === "string" ? service : service.typeName;
}

function prefixOf(service: ServiceRef): string {
  return typeof service === "string" ? "" : subjectPrefix(service);
}

/**
 * What a user needs to serve `services` and nothing more: take calls at its
 * own service addresses and micro endpoint subjects, answer lookups of those
 * services and lists, announce them, answer `$SRV` discovery, and reply to
 * callers (any `_INBOX.>`). Nobody without these permissions can serve,
 * announce, heartbeat or deregister these services.
 */
export function serverPermissions(
  services: readonly ServiceRef[],
  scope: PermissionScope = {},
): NatsPermissions {
  const ns = scope.namespace;
  const subjects = registrySubjects(ns);
  const publish = ["_INBOX.>"];
  const subscribe = [subjects.list, "$SRV.*"];
  for (const service of services) {
    const name = nameOf(service);
    const prefix = prefixOf(service);
    const micro = microServiceName(name);
    publish.push(subjects.watch(name));
    subscribe.push(
      serviceAddress(ns, name, "*"),
      namespaced(ns, `${prefix ? `${prefix}.` : ""}${name}.*`),
      subjects.get(name),
      descriptorSubject(ns, name),
      `$SRV.*.${micro}`,
      `$SRV.*.${micro}.*`,
    );
  }
  return { publish: { allow: publish }, subscribe: { allow: subscribe } };
}

/**
 * What a user needs to call `services` and nothing more: publish calls (and
 * stream frames) to their addresses, look them up, list services, read
 * announcements, and receive on its own inbox prefix. It cannot serve or
 * announce anything.
 */
export function clientPermissions(
  services: readonly ServiceRef[],
  scope: ClientScope,
): NatsPermissions {
  const ns = scope.namespace;
  const subjects = registrySubjects(ns);
  if (!scope.inboxPrefix.startsWith("_INBOX.")) {
    throw new RangeError(
      `clientPermissions: inboxPrefix must start with "_INBOX.", got ${scope.inboxPrefix}`,
    );
  }
  const publish = [subjects.list];
  const subscribe = [`${scope.inboxPrefix}.>`];
  if (scope.watch !== false) subscribe.push(subjects.watchAll);
  for (const service of services) {
    const name = nameOf(service);
    publish.push(serviceAddress(ns, name, "*"), subjects.get(name), descriptorSubject(ns, name));
  }
  return { publish: { allow: publish }, subscribe: { allow: subscribe } };
}

/** The union of several permission sets, e.g. a server that also calls other services. */
export function combinePermissions(...sets: readonly NatsPermissions[]): NatsPermissions {
  const union = (pick: (p: NatsPermissions) => string[]) => [...new Set(sets.flatMap(pick))];
  return {
    publish: { allow: union((p) => p.publish.allow) },
    subscribe: { allow: union((p) => p.subscribe.allow) },
  };
}

import { namespaced } from "../../transport/subjects.js";

/**
 * The subjects of the broadcast registry, under an optional namespace. Every
 * subject about one service names it, so that NATS permissions can say who
 * may announce, withdraw and answer for service S (publish
 * `pn.registry.watch.S`, subscribe `pn.registry.get.S`) apart from who may
 * look it up.
 */
export interface RegistrySubjects {
  /** List queries; every registry instance holding registrations answers. */
  readonly list: string;
  /** Lookups of one service; only instances holding it answer. */
  get(service: string): string;
  /** Register, deregister and heartbeat announcements of one service. */
  watch(service: string): string;
  /** The wildcard a cache subscribes to for the announcements of every service. */
  readonly watchAll: string;
  /** The service an announcement subject is about, or `undefined` for a foreign subject. */
  serviceOfWatch(subject: string): string | undefined;
}

export function registrySubjects(namespace: string | undefined): RegistrySubjects {
  const watchPrefix = namespaced(namespace, "pn.registry.watch.");
  const getPrefix = namespaced(namespace, "pn.registry.get.");
  return {
    list: namespaced(namespace, "pn.registry.list"),
    get: (service) => `${getPrefix}${service}`,
    watch: (service) => `${watchPrefix}${service}`,
    watchAll: `${watchPrefix}>`,
    serviceOfWatch: (subject) =>
      subject.startsWith(watchPrefix) ? subject.slice(watchPrefix.length) : undefined,
  };
}

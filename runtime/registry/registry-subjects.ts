/** The two subjects of the broadcast registry, under an optional namespace. */
export interface RegistrySubjects {
  /** Lookups are published here; every node holding registrations answers. */
  readonly query: string;
  /** Register, deregister and heartbeat announcements, feeding every cache. */
  readonly watch: string;
}

export function registrySubjects(namespace: string | undefined): RegistrySubjects {
  const prefix = namespace ? `${namespace}.` : "";
  return { query: `${prefix}pn.registry.query`, watch: `${prefix}pn.registry.watch` };
}

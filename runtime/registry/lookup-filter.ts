import type { LookupOptions, ServiceInfo, ServiceNode } from "./registry.js";

function hasMetadata(node: ServiceNode, wanted: Record<string, string>): boolean {
  for (const key in wanted) {
    if (node.metadata[key] !== wanted[key]) return false;
  }
  return true;
}

/**
 * Applies the version and node-metadata filters of a lookup. Returns the input
 * array itself when there is nothing to filter, so that the cached path does
 * not allocate.
 */
export function filterServices(services: ServiceInfo[], options?: LookupOptions): ServiceInfo[] {
  const version = options?.version;
  const metadata = options?.metadata;
  const byMetadata = metadata !== undefined && Object.keys(metadata).length > 0;
  if (version === undefined && !byMetadata) return services;
  const out: ServiceInfo[] = [];
  for (const service of services) {
    if (version !== undefined && service.version !== version) continue;
    if (!byMetadata) {
      out.push(service);
      continue;
    }
    const nodes = service.nodes.filter((n) => hasMetadata(n, metadata));
    if (nodes.length > 0) out.push({ ...service, nodes });
  }
  return out;
}

/** Describes what a lookup asked for, for NotFound messages. */
export function describeLookup(name: string, options?: LookupOptions): string {
  const parts = [name];
  if (options?.version !== undefined) parts.push(`version ${options.version}`);
  if (options?.metadata && Object.keys(options.metadata).length > 0) {
    parts.push(`metadata ${JSON.stringify(options.metadata)}`);
  }
  return parts.join(", ");
}

import type { ServiceInfo } from "./registry.js";

/**
 * Merges per-node records into one record per service name and version, the
 * shape lookups return. The first record seen of a version gives its
 * metadata, endpoints and descriptors (all nodes of a version share them).
 */
export function aggregateServices(records: Iterable<ServiceInfo>): ServiceInfo[] {
  const byKey = new Map<string, ServiceInfo>();
  for (const record of records) {
    const key = `${record.name}\u0000${record.version}`;
    const existing = byKey.get(key);
    if (!existing) {
      byKey.set(key, { ...record, nodes: [...record.nodes] });
      continue;
    }
    for (const node of record.nodes) {
      if (!existing.nodes.some((n) => n.id === node.id)) existing.nodes.push(node);
    }
    if (existing.fileDescriptors === undefined && record.fileDescriptors !== undefined) {
      existing.fileDescriptors = record.fileDescriptors;
    }
  }
  return [...byKey.values()];
}

/** The record without its file descriptors, as list answers carry it. */
export function withoutDescriptors(service: ServiceInfo): ServiceInfo {
  const { fileDescriptors: _omitted, ...rest } = service;
  return rest;
}

import type { ServiceInfo, ServiceNode } from "../../registry/registry.js";
import { sealOf } from "./record-rules.js";
import type { HeartbeatEntry, WithdrawnNode } from "./registry-wire.js";

interface CachedNode {
  node: ServiceNode;
  /** The registry instance holding the node, when known: its answers are authoritative for it. */
  registry: string | undefined;
  /** Last sign of life: an answer, an announcement or a heartbeat. */
  heardAt: number;
  /** `heardAt` plus the TTL its own registry announced. */
  expiresAt: number;
  /**
   * Records disagreed about the node's seal (someone answered for it with
   * another one): no deregister is trusted, the node leaves at its TTL.
   */
  disputed: boolean;
}

interface CachedVersion {
  service: Omit<ServiceInfo, "nodes">;
  nodes: Map<string, CachedNode>;
}

interface CachedName {
  versions: Map<string, CachedVersion>;
  /**
   * True once a broadcast query for this name completed while the watch
   * subscription was live: from then on announcements keep the entry exact,
   * so lookups (including "not found") are answered without the network.
   */
  authoritative: boolean;
  /** Memoized lookup result, so that a cached lookup does not allocate. */
  snapshot: ServiceInfo[] | undefined;
  /** The snapshot is valid until its first node expires. */
  snapshotUntil: number;
}

/**
 * What a registry knows about remote services: nodes with their expiry, fed by
 * query answers and watch announcements. Expired nodes are never returned,
 * even before the sweep removes them.
 */
export class ServiceCache {
  private readonly names = new Map<string, CachedName>();

  /** `maxNodesPerService` bounds the nodes one name may hold (all versions). */
  constructor(private readonly maxNodesPerService = Number.POSITIVE_INFINITY) {}

  private entry(name: string): CachedName {
    let entry = this.names.get(name);
    if (!entry) {
      entry = { versions: new Map(), authoritative: false, snapshot: undefined, snapshotUntil: 0 };
      this.names.set(name, entry);
    }
    return entry;
  }

  private dropIfEmpty(name: string, entry: CachedName): void {
    if (entry.versions.size === 0 && !entry.authoritative) this.names.delete(name);
  }

  /**
   * Adds or refreshes the nodes of a record. A node id stays bound to the
   * record that first brought it: a record giving a known id another address
   * or seal is a forgery (or a clash) and its node is refused, as are new
   * nodes beyond `maxNodesPerService`. Returns why nodes were refused (empty
   * when none was).
   */
  upsert(service: ServiceInfo, ttlMs: number, now: number, registry?: string): string[] {
    const entry = this.entry(service.name);
    const refused: string[] = [];
    const accepted: ServiceNode[] = [];
    let count = -1;
    for (const node of service.nodes) {
      const known = entry.versions.get(service.version)?.nodes.get(node.id);
      if (known) {
        if (known.node.address !== node.address || known.node.seal !== node.seal) {
          // Whichever record came first may be the forged one: trust neither seal.
          if (known.node.address === node.address) known.disputed = true;
          refused.push(`node ${node.id} of ${service.name} is bound to an earlier record`);
          continue;
        }
      } else {
        if (count < 0) count = this.nodeCount(entry);
        if (count >= this.maxNodesPerService) {
          refused.push(
            `${service.name} already holds maxNodesPerService (${this.maxNodesPerService}) nodes`,
          );
          continue;
        }
        count++;
      }
      accepted.push(node);
    }
    if (accepted.length === 0) {
      this.dropIfEmpty(service.name, entry);
      return refused;
    }
    let version = entry.versions.get(service.version);
    const { nodes: _nodes, ...rest } = service;
    if (!version) {
      version = { service: rest, nodes: new Map() };
      entry.versions.set(service.version, version);
    } else if (
      rest.fileDescriptors !== undefined ||
      version.service.fileDescriptors === undefined
    ) {
      // List answers carry no descriptors: never let one erase what a get brought.
      version.service = rest;
    } else {
      version.service = { ...rest, fileDescriptors: version.service.fileDescriptors };
    }
    for (const node of accepted) {
      const known = version.nodes.get(node.id);
      version.nodes.set(node.id, {
        node: known ? withLocality(known.node, node) : node,
        registry: registry ?? known?.registry,
        heardAt: now,
        expiresAt: now + ttlMs,
        disputed: known?.disputed ?? false,
      });
    }
    entry.snapshot = undefined;
    return refused;
  }

  private nodeCount(entry: CachedName): number {
    let count = 0;
    for (const version of entry.versions.values()) count += version.nodes.size;
    return count;
  }

  /**
   * Removes the withdrawn nodes whose key matches their seal. Returns the
   * removed nodes and the ids refused (unknown nodes are neither).
   */
  remove(
    name: string,
    versionKey: string,
    withdrawn: WithdrawnNode[],
  ): { removed: ServiceNode[]; refused: string[] } {
    const entry = this.names.get(name);
    const version = entry?.versions.get(versionKey);
    if (!entry || !version) return { removed: [], refused: [] };
    const removed: ServiceNode[] = [];
    const refused: string[] = [];
    for (const { id, key } of withdrawn) {
      const cached = version.nodes.get(id);
      if (!cached) continue;
      if (cached.disputed || cached.node.seal === undefined || sealOf(key) !== cached.node.seal) {
        refused.push(id);
        continue;
      }
      removed.push(cached.node);
      version.nodes.delete(id);
    }
    if (version.nodes.size === 0) entry.versions.delete(versionKey);
    entry.snapshot = undefined;
    this.dropIfEmpty(name, entry);
    return { removed, refused };
  }

  /** The registry instances holding nodes of `name`: those whose answers a lookup waits for. */
  registriesOf(name: string): Set<string> {
    const ids = new Set<string>();
    for (const version of this.names.get(name)?.versions.values() ?? []) {
      for (const cached of version.nodes.values()) if (cached.registry) ids.add(cached.registry);
    }
    return ids;
  }

  /** Refreshes a node from a heartbeat. Returns false when the node is unknown. */
  touch(beat: HeartbeatEntry, ttlMs: number, now: number): boolean {
    const cached = this.names.get(beat.name)?.versions.get(beat.version)?.nodes.get(beat.id);
    if (!cached) return false;
    cached.heardAt = now;
    cached.expiresAt = now + ttlMs;
    // The snapshot only depends on which nodes are live, not on their expiry,
    // but its validity ends at the earliest expiry: let the next lookup recompute it.
    return true;
  }

  isAuthoritative(name: string): boolean {
    return this.names.get(name)?.authoritative === true;
  }

  markAuthoritative(name: string): void {
    this.entry(name).authoritative = true;
  }

  /** The next lookup of `name` goes to the network again (e.g. a node we never heard of). */
  markStale(name: string): void {
    const entry = this.names.get(name);
    if (!entry) return;
    entry.authoritative = false;
    this.dropIfEmpty(name, entry);
  }

  /** After a disconnection announcements may have been missed: trust no entry. */
  markAllStale(): void {
    for (const [name, entry] of this.names) {
      entry.authoritative = false;
      this.dropIfEmpty(name, entry);
    }
  }

  /** Live versions of a service, each with its live nodes (empty when none). */
  live(name: string, now: number): ServiceInfo[] {
    const entry = this.names.get(name);
    if (!entry) return [];
    if (entry.snapshot && now < entry.snapshotUntil) return entry.snapshot;
    const snapshot: ServiceInfo[] = [];
    let until = Number.POSITIVE_INFINITY;
    for (const version of entry.versions.values()) {
      const nodes: ServiceNode[] = [];
      for (const cached of version.nodes.values()) {
        if (cached.expiresAt <= now) continue;
        nodes.push(cached.node);
        if (cached.expiresAt < until) until = cached.expiresAt;
      }
      if (nodes.length > 0) snapshot.push({ ...version.service, nodes });
    }
    entry.snapshot = snapshot;
    entry.snapshotUntil = until;
    return snapshot;
  }

  /**
   * After a query for `name`: removes nodes whose registry instance answered
   * without them and that showed no sign of life since `since` (they left
   * while our announcements were interrupted). Nodes of instances that did
   * not answer are left to their TTL. Returns the removed nodes by version.
   */
  pruneAbsent(name: string, answered: ReadonlySet<string>, since: number): ServiceInfo[] {
    const entry = this.names.get(name);
    if (!entry) return [];
    return this.removeWhere(
      name,
      entry,
      (n) => n.heardAt < since && n.registry !== undefined && answered.has(n.registry),
    );
  }

  /** Removes every expired node. Returns them, grouped by version. */
  sweep(now: number): ServiceInfo[] {
    const gone: ServiceInfo[] = [];
    for (const [name, entry] of this.names) {
      gone.push(...this.removeWhere(name, entry, (n) => n.expiresAt <= now));
    }
    return gone;
  }

  private removeWhere(
    name: string,
    entry: CachedName,
    doomed: (node: CachedNode) => boolean,
  ): ServiceInfo[] {
    const gone: ServiceInfo[] = [];
    for (const [key, version] of entry.versions) {
      const nodes: ServiceNode[] = [];
      for (const [id, cached] of version.nodes) {
        if (!doomed(cached)) continue;
        nodes.push(cached.node);
        version.nodes.delete(id);
      }
      if (nodes.length === 0) continue;
      const { fileDescriptors: _omitted, ...service } = version.service;
      gone.push({ ...service, nodes });
      if (version.nodes.size === 0) entry.versions.delete(key);
      entry.snapshot = undefined;
    }
    this.dropIfEmpty(name, entry);
    return gone;
  }

  clear(): void {
    this.names.clear();
  }
}

/**
 * The bound node with the locality of its newest record: an instance whose
 * connection moved to another cluster re-announces itself from there. Only
 * the place changes; the address and seal stay those of the first record.
 */
function withLocality(bound: ServiceNode, latest: ServiceNode): ServiceNode {
  const a = bound.locality;
  const b = latest.locality;
  if (a?.cluster === b?.cluster && a?.server === b?.server && a?.zone === b?.zone) return bound;
  const { locality: _, ...rest } = bound;
  return b === undefined ? rest : { ...rest, locality: b };
}

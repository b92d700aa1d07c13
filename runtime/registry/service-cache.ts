import type { ServiceInfo, ServiceNode } from "./registry.js";
import type { HeartbeatEntry } from "./registry-wire.js";

interface CachedNode {
  node: ServiceNode;
  /** The registry instance holding the node, when known: its answers are authoritative for it. */
  registry: string | undefined;
  /** Last sign of life: an answer, an announcement or a heartbeat. */
  heardAt: number;
  /** `heardAt` plus the TTL its own registry announced. */
  expiresAt: number;
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

  /** Adds or refreshes the nodes of a record. Returns true when a node was new. */
  upsert(service: ServiceInfo, ttlMs: number, now: number, registry?: string): boolean {
    const entry = this.entry(service.name);
    let version = entry.versions.get(service.version);
    const { nodes, ...rest } = service;
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
    let added = false;
    for (const node of nodes) {
      const known = version.nodes.get(node.id);
      if (!known) added = true;
      version.nodes.set(node.id, {
        node,
        registry: registry ?? known?.registry,
        heardAt: now,
        expiresAt: now + ttlMs,
      });
    }
    entry.snapshot = undefined;
    return added;
  }

  /** Removes the nodes a record lists. Returns the nodes that were known. */
  remove(service: ServiceInfo): ServiceNode[] {
    const entry = this.names.get(service.name);
    const version = entry?.versions.get(service.version);
    if (!entry || !version) return [];
    const removed: ServiceNode[] = [];
    for (const node of service.nodes) {
      const cached = version.nodes.get(node.id);
      if (cached) {
        removed.push(cached.node);
        version.nodes.delete(node.id);
      }
    }
    if (version.nodes.size === 0) entry.versions.delete(service.version);
    entry.snapshot = undefined;
    this.dropIfEmpty(service.name, entry);
    return removed;
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

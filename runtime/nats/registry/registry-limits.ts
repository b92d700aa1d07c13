/**
 * Bounds on what a peer may make a registry hold. Every other user of the
 * NATS account may be hostile: a record beyond a bound is refused whole (and
 * reported as a `refused` event), never merged or truncated.
 */
export interface RegistryLimits {
  /**
   * Longest TTL a peer's announcement may ask for, in ms; larger values are
   * clamped, so a node nobody hears from disappears at most this long after
   * its last sign of life. Must cover the `ttlMs` of every registry.
   * Default 60000.
   */
  maxTtlMs: number;
  /**
   * Nodes in one announcement, answer or heartbeat; beyond it the message is
   * refused. Also the size of the parts this registry sends its own answers,
   * heartbeats and deregisters in, so keep it alike across a deployment.
   * Default 64.
   */
  maxNodesPerMessage: number;
  /**
   * Nodes cached for one service name (all versions); further nodes are
   * refused (and reported). Raise it for a service with more instances.
   * Default 1024.
   */
  maxNodesPerService: number;
  /** Bytes of one registry message; larger ones are dropped unread. Default 1 MiB. */
  maxMessageBytes: number;
  /** Characters of a service name, version, node id, endpoint or type name. Default 256. */
  maxNameLength: number;
  /** Characters of an address or of a metadata key or value. Default 1024. */
  maxStringLength: number;
  /** Entries of one metadata map. Default 64. */
  maxMetadataEntries: number;
  /** Endpoints of one record. Default 512. */
  maxEndpoints: number;
}

export const registryLimitDefaults: Readonly<RegistryLimits> = {
  maxTtlMs: 60_000,
  maxNodesPerMessage: 64,
  maxNodesPerService: 1024,
  maxMessageBytes: 1024 * 1024,
  maxNameLength: 256,
  maxStringLength: 1024,
  maxMetadataEntries: 64,
  maxEndpoints: 512,
};

/** The defaults overridden by `limits`; throws `RangeError` on a bound that is not a positive number. */
export function resolveRegistryLimits(limits: Partial<RegistryLimits> = {}): RegistryLimits {
  const resolved = { ...registryLimitDefaults, ...limits };
  for (const [key, value] of Object.entries(resolved)) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new RangeError(`NatsRegistry: limits.${key} must be a positive number, got ${value}`);
    }
  }
  return resolved;
}

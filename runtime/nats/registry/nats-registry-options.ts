import type { RecordSigningOptions } from "./record-signing.js";
import { type RegistryLimits, resolveRegistryLimits } from "./registry-limits.js";

/** Settings of the NATS registry. Every field has a default suited to production. */
export interface NatsRegistryOptions {
  /** Subject prefix isolating an environment: `<namespace>.pn.registry.*`. Default: none. */
  namespace?: string;
  /**
   * Upper bound of an uncached lookup, in ms. A lookup normally returns long
   * before it (see `quietMs`); this bound only applies when answers keep
   * trickling in or when nodes subscribe but do not answer. Default 500.
   */
  timeoutMs?: number;
  /**
   * Quiet window of an uncached lookup, in ms. A lookup returns as soon as
   * every registry instance it knows of has answered; until it knows some
   * (its first lookup) it returns once no answer arrived for this long after
   * the last one. On one cluster answers arrive within a fraction of a
   * millisecond of each other, and a late answer is not lost: its node's next
   * heartbeat makes the cache ask again. Raise it to about the cross-node
   * round trip for clusters spread over distant sites. While no node of the
   * name has answered (and for lists) the window is ten times longer, so a
   * slow instance does not turn into a false "not found". Default 2.
   */
  quietMs?: number;
  /** How often this process tells every cache that its nodes are alive, in ms. Default 5000. */
  heartbeatIntervalMs?: number;
  /**
   * How long other caches keep a node of this process without hearing from
   * it, in ms; travels with each announcement so every cache applies the
   * owner's value. Must exceed `heartbeatIntervalMs`. Default 15000 (three
   * missed heartbeats).
   */
  ttlMs?: number;
  /** How often expired nodes are removed and `expire` events sent, in ms. Default 1000. */
  sweepIntervalMs?: number;
  /** Bounds on what peers may make this registry hold; see `registryLimitDefaults`. */
  limits?: Partial<RegistryLimits>;
  /** Sign this process's records and/or accept only signed records of some services. Default: off. */
  signing?: RecordSigningOptions;
  /** Prefix of the lookup reply subscription: the connection's `inboxPrefix`. Default: read from the connection. */
  inboxPrefix?: string;
}

export type ResolvedRegistryOptions = Required<
  Omit<NatsRegistryOptions, "namespace" | "limits" | "signing" | "inboxPrefix">
> & {
  namespace: string | undefined;
  limits: RegistryLimits;
};

export const registryDefaults = {
  timeoutMs: 500,
  quietMs: 2,
  heartbeatIntervalMs: 5000,
  ttlMs: 15_000,
  sweepIntervalMs: 1000,
} as const;

export function resolveRegistryOptions(options: NatsRegistryOptions): ResolvedRegistryOptions {
  const resolved = {
    namespace: options.namespace,
    timeoutMs: options.timeoutMs ?? registryDefaults.timeoutMs,
    quietMs: options.quietMs ?? registryDefaults.quietMs,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? registryDefaults.heartbeatIntervalMs,
    ttlMs: options.ttlMs ?? registryDefaults.ttlMs,
    sweepIntervalMs: options.sweepIntervalMs ?? registryDefaults.sweepIntervalMs,
    limits: resolveRegistryLimits(options.limits),
  };
  for (const key of [
    "timeoutMs",
    "quietMs",
    "heartbeatIntervalMs",
    "ttlMs",
    "sweepIntervalMs",
  ] as const) {
    const value = resolved[key];
    if (!Number.isFinite(value) || value <= 0) {
      throw new RangeError(`NatsRegistry: ${key} must be a positive number, got ${value}`);
    }
  }
  if (resolved.ttlMs <= resolved.heartbeatIntervalMs) {
    throw new RangeError(
      `NatsRegistry: ttlMs (${resolved.ttlMs}) must exceed heartbeatIntervalMs (${resolved.heartbeatIntervalMs})`,
    );
  }
  if (resolved.ttlMs > resolved.limits.maxTtlMs) {
    throw new RangeError(
      `NatsRegistry: ttlMs (${resolved.ttlMs}) exceeds limits.maxTtlMs (${resolved.limits.maxTtlMs})`,
    );
  }
  return resolved;
}

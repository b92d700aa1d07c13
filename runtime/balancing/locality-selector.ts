import type { CallOutcome, SelectContext, Selector } from "../client/selector.js";
import { Code } from "../errors/code.js";
import type { LocalityPreference, NodeLocality } from "../locality/locality.js";
import { splitTiers, type Tier, tierNames } from "../locality/locality-tiers.js";
import type { ServiceNode } from "../registry/registry.js";
import { NodeTable, type ServiceNodes } from "./node-state.js";
import { type EjectionOptions, OutlierEjection } from "./outlier-ejection.js";

/** Options of {@link LocalitySelector}. */
export interface LocalitySelectorOptions extends EjectionOptions {
  /** Default preference of calls that do not state one. Default `"nearest"`. */
  prefer?: LocalityPreference;
  /**
   * Calls in flight from this client at which a node counts as saturated, so
   * that further calls spill over to the next tier. Default 256.
   */
  maxPendingPerNode?: number;
  /**
   * How long a node that answered `ResourceExhausted` (its concurrency limit)
   * counts as saturated, in ms. Default 1 000.
   */
  saturatedMs?: number;
}

/** Why a call went to a farther tier than the preferred one. */
export interface SpillCounts {
  /** The preferred tier had no node (none registered there, or all gone). */
  gone: number;
  /** Every node of the preferred tier was ejected after failing. */
  ejected: number;
  /** Every usable node of the preferred tier was saturated. */
  saturated: number;
  /** A retry, and the preferred tier's nodes were already tried by the call. */
  retried: number;
}

/** What a {@link LocalitySelector} did, since it was made. */
export interface LocalityStats {
  /** Calls sent to a node in the caller's (or the preferred) cluster. */
  cluster: number;
  /** Calls sent to another cluster in the preferred zone. */
  zone: number;
  /** Calls sent anywhere else. */
  remote: number;
  /** Calls without a preference (`"any"`, or the caller's place unknown). */
  any: number;
  /** Calls that went farther than the preferred tier, by reason. */
  spills: SpillCounts;
}

type Tiers = [ServiceNode[], ServiceNode[], ServiceNode[]];

interface TierCache {
  nodes: readonly ServiceNode[];
  place: NodeLocality;
  tiers: Tiers;
}

/**
 * The default selector: keeps calls near the caller. Nodes are split into
 * tiers seen from the caller's connection — same NATS cluster, same zone,
 * anywhere — and each call goes round robin to the nearest tier with a
 * usable node. A call spills over to the next tier only when the nearer
 * one has no node left, or all its nodes are ejected (as in
 * {@link EjectingRoundRobinSelector}), saturated (too many calls in flight
 * from this client, or answering `ResourceExhausted`), or already tried by
 * this call; `stats()` counts where calls went and why they spilled.
 *
 * The caller's place comes from `SelectContext.locate` (the runtime's NATS
 * connection: it follows a reconnection to another cluster); a call or
 * client preference `{ zone }` / `{ cluster }` replaces it, `"any"` turns
 * locality off. The split is cached per node list and place, so a call
 * allocates nothing.
 */
export class LocalitySelector implements Selector {
  private readonly table = new NodeTable();
  private readonly ejection: OutlierEjection;
  private readonly prefer: LocalityPreference;
  private readonly maxPending: number;
  private readonly saturatedMs: number;
  private readonly tierCache = new Map<string, TierCache>();
  private readonly counts = {
    cluster: 0,
    zone: 0,
    remote: 0,
    any: 0,
    spills: { gone: 0, ejected: 0, saturated: 0, retried: 0 },
  };

  constructor(options: LocalitySelectorOptions = {}) {
    this.ejection = new OutlierEjection(options);
    this.prefer = options.prefer ?? "nearest";
    this.maxPending = options.maxPendingPerNode ?? 256;
    this.saturatedMs = options.saturatedMs ?? 1_000;
    if (!(this.maxPending >= 1)) {
      throw new RangeError(`maxPendingPerNode must be >= 1, got ${this.maxPending}`);
    }
  }

  /** Where calls went and why some spilled over (a copy). */
  stats(): LocalityStats {
    return { ...this.counts, spills: { ...this.counts.spills } };
  }

  select(nodes: readonly ServiceNode[], context: SelectContext): ServiceNode | undefined {
    const table = this.table.forService(context.service, nodes);
    const place = this.placeOf(context);
    const now = this.ejection.now();
    if (place === undefined) {
      this.counts.any++;
      for (let pass = 0; pass < 3; pass++) {
        const node = this.pickIn(nodes, table, context, now, pass);
        if (node !== undefined) return node;
      }
      return this.lastResort(nodes, table, context);
    }
    const tiers = this.tiersOf(context.service, nodes, place);
    const preferred = place.cluster !== undefined || place.server !== undefined ? 0 : 1;
    // Untried and unsaturated first, then saturated, then already tried.
    for (let pass = 0; pass < 3; pass++) {
      for (let t = preferred; t < 3; t++) {
        const node = this.pickIn(tiers[t] as ServiceNode[], table, context, now, pass);
        if (node === undefined) continue;
        this.count(t as Tier, preferred, tiers, table, context, now);
        return node;
      }
    }
    return this.lastResort(nodes, table, context);
  }

  onCallStart(node: ServiceNode, context: SelectContext): void {
    this.table.peek(context.service).state(node).pending++;
  }

  onCallEnd(node: ServiceNode, outcome: CallOutcome, context: SelectContext): void {
    // Undefined when the node left the registry mid-call: nothing left to update.
    const state = this.table.peek(context.service).states.get(node.id);
    if (state === undefined) return;
    if (state.pending > 0) state.pending--;
    this.ejection.record(state, outcome);
    if (outcome.code === Code.ResourceExhausted) {
      state.saturatedUntil = this.ejection.now() + this.saturatedMs;
    }
  }

  private placeOf(context: SelectContext): NodeLocality | undefined {
    const prefer = context.locality ?? this.prefer;
    if (prefer === "any") return undefined;
    if (prefer === "nearest") return context.locate?.();
    return prefer;
  }

  private tiersOf(service: string, nodes: readonly ServiceNode[], place: NodeLocality): Tiers {
    const cached = this.tierCache.get(service);
    if (cached !== undefined && cached.nodes === nodes && cached.place === place) {
      return cached.tiers;
    }
    const tiers = splitTiers(nodes, place);
    this.tierCache.set(service, { nodes, place, tiers });
    return tiers;
  }

  /**
   * Round robin within `tier`, skipping ejected nodes; pass 0 also skips
   * saturated nodes and nodes this call tried, pass 1 only tried ones.
   */
  private pickIn(
    tier: readonly ServiceNode[],
    table: ServiceNodes,
    context: SelectContext,
    now: number,
    pass: number,
  ): ServiceNode | undefined {
    const n = tier.length;
    if (n === 0) return undefined;
    const start = table.cursor;
    table.cursor = (start + 1) % 0x7fffffff;
    for (let i = 0; i < n; i++) {
      const node = tier[(start + i) % n] as ServiceNode;
      const state = table.states.get(node.id);
      if (this.ejection.isEjected(state, now)) continue;
      if (pass < 2 && context.exclude?.has(node.id)) continue;
      if (pass === 0 && state !== undefined && this.isSaturated(state, now)) continue;
      return node;
    }
    return undefined;
  }

  private isSaturated(state: { pending: number; saturatedUntil: number }, now: number): boolean {
    return state.pending >= this.maxPending || state.saturatedUntil > now;
  }

  /** Every node is ejected: the one ejected longest ago, as the ejecting round robin does. */
  private lastResort(
    nodes: readonly ServiceNode[],
    table: ServiceNodes,
    context: SelectContext,
  ): ServiceNode | undefined {
    this.counts.spills.ejected++;
    return this.ejection.fallback(nodes, table, context.exclude);
  }

  private count(
    tier: Tier,
    preferred: number,
    tiers: Tiers,
    table: ServiceNodes,
    context: SelectContext,
    now: number,
  ): void {
    this.counts[tierNames[tier]]++;
    if (tier <= preferred) return;
    // Spilled over: say why the preferred tier was not used.
    const spills = this.counts.spills;
    const near = tiers[preferred] as ServiceNode[];
    if (near.length === 0) {
      spills.gone++;
      return;
    }
    let ejected = 0;
    let tried = 0;
    for (const node of near) {
      if (this.ejection.isEjected(table.states.get(node.id), now)) ejected++;
      else if (context.exclude?.has(node.id)) tried++;
    }
    if (ejected === near.length) spills.ejected++;
    else if (tried > 0) spills.retried++;
    else spills.saturated++;
  }
}

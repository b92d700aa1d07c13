import type { ServiceNode } from "../registry/registry.js";
import type { NodeLocality } from "./locality.js";

/** How near a node is to a place: the tiers a locality-aware selector tries in order. */
export const Tier = {
  /** Same NATS cluster (or same server, for nodes without a cluster name). */
  Cluster: 0,
  /** Another cluster in the same zone. */
  Zone: 1,
  /** Anywhere else (another cluster or zone, or a node that did not say). */
  Remote: 2,
} as const;
export type Tier = (typeof Tier)[keyof typeof Tier];

export const tierNames = ["cluster", "zone", "remote"] as const;

/** The tier of `node` seen from `place`. */
export function tierOf(node: ServiceNode, place: NodeLocality): Tier {
  const there = node.locality;
  if (there === undefined) return Tier.Remote;
  if (place.cluster !== undefined) {
    if (there.cluster === place.cluster) return Tier.Cluster;
  } else if (place.server !== undefined && there.server === place.server) {
    return Tier.Cluster;
  }
  if (place.zone !== undefined && there.zone === place.zone) return Tier.Zone;
  return Tier.Remote;
}

/** `nodes` split by tier (nearest first), keeping their order within a tier. */
export function splitTiers(
  nodes: readonly ServiceNode[],
  place: NodeLocality,
): [ServiceNode[], ServiceNode[], ServiceNode[]] {
  const tiers: [ServiceNode[], ServiceNode[], ServiceNode[]] = [[], [], []];
  for (const node of nodes) tiers[tierOf(node, place)].push(node);
  return tiers;
}

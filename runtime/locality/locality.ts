import { envVar } from "../platform/env.js";
/**
 * Where a node runs, as NATS sees it: the cluster and server its connection
 * is on, plus a zone (region, site) the operator names. Nodes in the caller's
 * own cluster are one NATS hop away; nodes elsewhere are reached through
 * gateways or leaf node links, often across a WAN.
 */
export interface NodeLocality {
  /** NATS cluster name (gateway name in a supercluster) from the server's INFO. */
  cluster?: string;
  /** NATS server name from the server's INFO. */
  server?: string;
  /** Operator-set zone or region, e.g. `eu-west-1`. */
  zone?: string;
}

/**
 * Which nodes a call prefers:
 * - `"nearest"` (default): the caller's own NATS cluster, then its zone, then any;
 * - `"any"`: every node alike (the selector's plain order);
 * - `{ zone }` / `{ cluster }`: nodes of that zone or cluster first, then any.
 *
 * A preference never makes a call fail while another node can serve it: when
 * the preferred nodes are gone, ejected or saturated the call spills over to
 * the next tier, and the selector counts it.
 */
export type LocalityPreference = "nearest" | "any" | { zone?: string; cluster?: string };

/** The `zone` a process runs in when no option says: `PROTONATS_ZONE`, if set. */
export function zoneFromEnv(): string | undefined {
  const zone = envVar("PROTONATS_ZONE")?.trim();
  return zone ? zone : undefined;
}

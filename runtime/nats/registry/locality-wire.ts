import type { NodeLocality } from "../../locality/locality.js";

/**
 * Longest accepted locality name. NATS server and cluster names are short
 * identifiers; a peer sending more is not trusted with the cache's memory.
 */
export const maxLocalityNameLength = 128;

// Printable ASCII without spaces: what NATS names and zone names use.
const namePattern = /^[\x21-\x7e]+$/;

function name(value: unknown): string | undefined {
  return typeof value === "string" &&
    value.length <= maxLocalityNameLength &&
    namePattern.test(value)
    ? value
    : undefined;
}

/**
 * Reads a node's optional `locality` from a registry record. Absent or
 * malformed fields are dropped one by one (the node stays usable, only less
 * placed); nothing else of the record depends on them.
 */
export function toLocality(value: unknown): NodeLocality | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const fields = value as Record<string, unknown>;
  const locality: NodeLocality = {};
  const cluster = name(fields.cluster);
  const server = name(fields.server);
  const zone = name(fields.zone);
  if (cluster !== undefined) locality.cluster = cluster;
  if (server !== undefined) locality.server = server;
  if (zone !== undefined) locality.zone = zone;
  return (cluster ?? server ?? zone) ? locality : undefined;
}

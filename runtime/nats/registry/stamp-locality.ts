import type { NodeLocality } from "../../locality/locality.js";
import type { ServiceInfo, ServiceNode } from "../../registry/registry.js";

/**
 * The record with each node placed where the registering connection is: its
 * NATS cluster and server (only the connection knows them, and they change
 * when it reconnects elsewhere); a zone the node set itself is kept.
 */
export function stampLocality(service: ServiceInfo, here: NodeLocality | undefined): ServiceInfo {
  if (here === undefined) return service;
  return { ...service, nodes: service.nodes.map((node) => placed(node, here)) };
}

function placed(node: ServiceNode, here: NodeLocality): ServiceNode {
  const locality: NodeLocality = {};
  if (here.cluster !== undefined) locality.cluster = here.cluster;
  if (here.server !== undefined) locality.server = here.server;
  const zone = node.locality?.zone ?? here.zone;
  if (zone !== undefined) locality.zone = zone;
  return { ...node, locality };
}

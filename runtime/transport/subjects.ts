/** Prefixes a subject with the namespace, if any. */
export function namespaced(namespace: string | undefined, subject: string): string {
  return namespace ? `${namespace}.${subject}` : subject;
}

/** The RPC address of a server instance: `[ns.]pn.node.<nodeId>`. */
export function nodeAddress(namespace: string | undefined, nodeId: string): string {
  return namespaced(namespace, `pn.node.${nodeId}`);
}

/**
 * The RPC address of one service on a server instance:
 * `[ns.]pn.svc.<package.Service>.<nodeId>`. The service name in the subject
 * lets NATS permissions say who may serve it (subscribe) and who may call it
 * (publish); the node id as last token binds the address to the id, so a
 * registry record cannot point an id anywhere else.
 */
export function serviceAddress(
  namespace: string | undefined,
  service: string,
  nodeId: string,
): string {
  return namespaced(namespace, `pn.svc.${service}.${nodeId}`);
}

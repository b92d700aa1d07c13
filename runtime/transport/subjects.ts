/** Prefixes a subject with the namespace, if any. */
export function namespaced(namespace: string | undefined, subject: string): string {
  return namespace ? `${namespace}.${subject}` : subject;
}

/** The RPC address of a server instance: `[ns.]pn.node.<nodeId>`. */
export function nodeAddress(namespace: string | undefined, nodeId: string): string {
  return namespaced(namespace, `pn.node.${nodeId}`);
}

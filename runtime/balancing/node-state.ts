import type { ServiceNode } from "../registry/registry.js";

/** What a selector remembers about one node of one service. */
export class NodeState {
  /** Unavailable outcomes in a row since the last sign of life. */
  consecutiveFailures = 0;
  /** Epoch ms until which the node is ejected; 0 when it never was. */
  ejectedUntil = 0;
  /** Epoch ms of the latest ejection; orders nodes when all are ejected. */
  ejectedAt = 0;
  /** Recent ejections, multiplying the next ejection's length; forgiven with time. */
  ejections = 0;
  /** Calls started on the node and not yet ended, by this client. */
  pending = 0;
  /** Exponentially weighted moving average of call durations in ms; -1 until measured. */
  latencyMs = -1;
  /** Epoch ms until which the node counts as saturated (it answered `ResourceExhausted`). */
  saturatedUntil = 0;
}

/** The nodes of one service as a selector last saw them. */
export class ServiceNodes {
  readonly states = new Map<string, NodeState>();
  /** Round-robin position. */
  cursor = 0;
  /** The node list the states were last reconciled with (registries reuse unchanged lists). */
  private seen: readonly ServiceNode[] | undefined;

  /** The state of `node`, created on first sight. */
  state(node: ServiceNode): NodeState {
    let s = this.states.get(node.id);
    if (s === undefined) {
      s = new NodeState();
      this.states.set(node.id, s);
    }
    return s;
  }

  /**
   * Forgets nodes that left the registry, so that a node coming back under
   * the same id starts clean and memory follows the live set. Runs only when
   * the registry hands out a different list.
   */
  reconcile(nodes: readonly ServiceNode[]): void {
    if (nodes === this.seen) return;
    this.seen = nodes;
    for (const id of this.states.keys()) {
      if (!contains(nodes, id)) this.states.delete(id);
    }
  }
}

function contains(nodes: readonly ServiceNode[], id: string): boolean {
  for (let i = 0; i < nodes.length; i++) if ((nodes[i] as ServiceNode).id === id) return true;
  return false;
}

/** Per-service node memory of one selector (a selector may serve several clients). */
export class NodeTable {
  private readonly services = new Map<string, ServiceNodes>();

  /** The service's node memory, reconciled with the current node list. */
  forService(service: string, nodes: readonly ServiceNode[]): ServiceNodes {
    const s = this.peek(service);
    s.reconcile(nodes);
    return s;
  }

  /** The service's node memory as it is. */
  peek(service: string): ServiceNodes {
    let s = this.services.get(service);
    if (s === undefined) {
      s = new ServiceNodes();
      this.services.set(service, s);
    }
    return s;
  }
}

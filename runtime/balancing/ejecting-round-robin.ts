import type { CallOutcome, SelectContext, Selector } from "../client/selector.js";
import type { ServiceNode } from "../registry/registry.js";
import { NodeTable } from "./node-state.js";
import { type EjectionOptions, OutlierEjection } from "./outlier-ejection.js";

/**
 * Round robin that remembers failures: a node whose calls end `Unavailable`
 * several times in a row is skipped for a while (see {@link EjectionOptions}),
 * so a crashed instance stops costing a round trip per call long before the
 * registry forgets it. When every node is ejected it still answers, with the
 * node ejected longest ago. A retry avoids the nodes the call already tried
 * when another healthy one exists. `LocalitySelector` (the default) does the
 * same within the nearest tier of nodes.
 */
export class EjectingRoundRobinSelector implements Selector {
  private readonly table = new NodeTable();
  private readonly ejection: OutlierEjection;

  constructor(options: EjectionOptions = {}) {
    this.ejection = new OutlierEjection(options);
  }

  select(nodes: readonly ServiceNode[], context: SelectContext): ServiceNode | undefined {
    const table = this.table.forService(context.service, nodes);
    const n = nodes.length;
    const start = table.cursor;
    table.cursor = (start + 1) % 0x7fffffff;
    const now = this.ejection.now();
    const exclude = context.exclude;
    let triedAlready: ServiceNode | undefined;
    for (let i = 0; i < n; i++) {
      const node = nodes[(start + i) % n] as ServiceNode;
      if (this.ejection.isEjected(table.states.get(node.id), now)) continue;
      if (exclude?.has(node.id)) {
        triedAlready ??= node;
        continue;
      }
      return node;
    }
    // A healthy node that failed this call once beats one known to be failing.
    return triedAlready ?? this.ejection.fallback(nodes, table, exclude);
  }

  onCallEnd(node: ServiceNode, outcome: CallOutcome, context: SelectContext): void {
    const nodes = this.table.peek(context.service);
    // A success of a node never seen failing leaves nothing to remember.
    const state = outcome.code === undefined ? nodes.states.get(node.id) : nodes.state(node);
    if (state !== undefined) this.ejection.record(state, outcome);
  }
}

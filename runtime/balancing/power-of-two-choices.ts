import type { CallOutcome, SelectContext, Selector } from "../client/selector.js";
import { Code } from "../errors/code.js";
import type { ServiceNode } from "../registry/registry.js";
import { NodeTable, type ServiceNodes } from "./node-state.js";
import { type EjectionOptions, OutlierEjection } from "./outlier-ejection.js";

/** Options of {@link PowerOfTwoChoicesSelector}. */
export interface PowerOfTwoChoicesOptions extends EjectionOptions {
  /**
   * Weight of the newest duration in the latency average (0..1]; higher
   * follows changes faster. Default 0.3.
   */
  latencyWeight?: number;
  /** Uniform random numbers in [0, 1); for tests. Default `Math.random`. */
  random?: () => number;
}

/**
 * Least pending by "power of two choices" (Mitzenmacher; Finagle's and
 * Envoy's least-request balancer): picks two nodes at random and sends the
 * call to the one with fewer calls in flight from this client, the faster one
 * (moving average of durations) on a tie. It steers load away from slow or
 * overloaded nodes at O(1) state per node, without the herd behaviour of
 * always taking the global minimum. Failing nodes are ejected as in
 * {@link EjectingRoundRobinSelector}: a node that fails fast has few calls in
 * flight and would otherwise attract traffic.
 */
export class PowerOfTwoChoicesSelector implements Selector {
  private readonly table = new NodeTable();
  private readonly ejection: OutlierEjection;
  private readonly weight: number;
  private readonly random: () => number;

  constructor(options: PowerOfTwoChoicesOptions = {}) {
    this.ejection = new OutlierEjection(options);
    const w = options.latencyWeight ?? 0.3;
    if (!(w > 0 && w <= 1)) throw new RangeError(`latencyWeight must be in (0, 1], got ${w}`);
    this.weight = w;
    this.random = options.random ?? Math.random;
  }

  select(nodes: readonly ServiceNode[], context: SelectContext): ServiceNode | undefined {
    const table = this.table.forService(context.service, nodes);
    const now = this.ejection.now();
    // First among nodes this call has not tried, then among any healthy ones.
    for (let pass = 0; pass < 2; pass++) {
      const allowTried = pass === 1;
      const count = this.countEligible(nodes, table, context, now, allowTried);
      if (count === 0) continue;
      if (count === 1) return this.nthEligible(nodes, table, context, now, allowTried, 0);
      const i = Math.floor(this.random() * count) % count;
      let j = Math.floor(this.random() * (count - 1)) % (count - 1);
      if (j >= i) j++;
      const a = this.nthEligible(nodes, table, context, now, allowTried, i);
      const b = this.nthEligible(nodes, table, context, now, allowTried, j);
      return this.better(table, a, b);
    }
    return this.ejection.fallback(nodes, table, context.exclude);
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
    // An undelivered call took no time on the node and a canceled one did not
    // finish: neither says how fast the node is.
    if (!outcome.undelivered && outcome.code !== Code.Canceled) {
      state.latencyMs =
        state.latencyMs < 0
          ? outcome.durationMs
          : state.latencyMs + this.weight * (outcome.durationMs - state.latencyMs);
    }
  }

  /** Fewer calls in flight wins; then the lower average (unmeasured counts as 0, to try new nodes). */
  private better(table: ServiceNodes, a: ServiceNode, b: ServiceNode): ServiceNode {
    const sa = table.states.get(a.id);
    const sb = table.states.get(b.id);
    const pa = sa?.pending ?? 0;
    const pb = sb?.pending ?? 0;
    if (pa !== pb) return pa < pb ? a : b;
    const la = Math.max(0, sa?.latencyMs ?? 0);
    const lb = Math.max(0, sb?.latencyMs ?? 0);
    return lb < la ? b : a;
  }

  private eligible(
    node: ServiceNode,
    table: ServiceNodes,
    context: SelectContext,
    now: number,
    allowTried: boolean,
  ): boolean {
    if (this.ejection.isEjected(table.states.get(node.id), now)) return false;
    return allowTried || context.exclude?.has(node.id) !== true;
  }

  private countEligible(
    nodes: readonly ServiceNode[],
    table: ServiceNodes,
    context: SelectContext,
    now: number,
    allowTried: boolean,
  ): number {
    let count = 0;
    for (let i = 0; i < nodes.length; i++) {
      if (this.eligible(nodes[i] as ServiceNode, table, context, now, allowTried)) count++;
    }
    return count;
  }

  /** The `k`-th eligible node, scanning in place so that a pick allocates nothing. */
  private nthEligible(
    nodes: readonly ServiceNode[],
    table: ServiceNodes,
    context: SelectContext,
    now: number,
    allowTried: boolean,
    k: number,
  ): ServiceNode {
    let seen = 0;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i] as ServiceNode;
      if (!this.eligible(node, table, context, now, allowTried)) continue;
      if (seen++ === k) return node;
    }
    return nodes[0] as ServiceNode;
  }
}

import type { CallOutcome } from "../client/selector.js";
import { Code } from "../errors/code.js";
import type { ServiceNode } from "../registry/registry.js";
import type { NodeState, ServiceNodes } from "./node-state.js";

/** When a node is taken out of rotation, and for how long. */
export interface EjectionOptions {
  /** `Unavailable` outcomes in a row that eject a node. Default 3. */
  consecutiveFailures?: number;
  /**
   * Length of a first ejection in ms; each further ejection of the same node
   * lasts one base longer (up to {@link maxEjectionMs}), and every base
   * interval the node stays healthy forgives one. Default 5 000.
   */
  baseEjectionMs?: number;
  /** Longest ejection in ms. Default 60 000. */
  maxEjectionMs?: number;
  /** Clock in epoch ms; for tests. Default `Date.now`. */
  now?: () => number;
}

export const ejectionDefaults = {
  consecutiveFailures: 3,
  baseEjectionMs: 5_000,
  maxEjectionMs: 60_000,
} as const;

/**
 * Outlier ejection as in Envoy's `consecutive_gateway_failure`: a node whose
 * calls end `Unavailable` (no responders, node stopping, peer gone) several
 * times in a row leaves the rotation for a while. Any other answer proves the
 * node alive and resets the count; `Canceled` and `DeadlineExceeded` say
 * nothing about the node (the caller gave up) and leave it as it is.
 */
export class OutlierEjection {
  readonly consecutiveFailures: number;
  readonly baseEjectionMs: number;
  readonly maxEjectionMs: number;
  readonly now: () => number;

  constructor(options: EjectionOptions = {}) {
    this.consecutiveFailures = positive(
      "consecutiveFailures",
      options.consecutiveFailures ?? ejectionDefaults.consecutiveFailures,
    );
    this.baseEjectionMs = positive(
      "baseEjectionMs",
      options.baseEjectionMs ?? ejectionDefaults.baseEjectionMs,
    );
    this.maxEjectionMs = Math.max(
      this.baseEjectionMs,
      options.maxEjectionMs ?? ejectionDefaults.maxEjectionMs,
    );
    this.now = options.now ?? Date.now;
  }

  /** True while `state` is ejected at `now`. */
  isEjected(state: NodeState | undefined, now: number): boolean {
    return state !== undefined && state.ejectedUntil > now;
  }

  /** Learns from the outcome of one call on the node. */
  record(state: NodeState, outcome: CallOutcome): void {
    const code = outcome.code;
    if (code === Code.Canceled || code === Code.DeadlineExceeded) return;
    if (code !== Code.Unavailable) {
      state.consecutiveFailures = 0;
      return;
    }
    const now = this.now();
    // Calls that were in flight when the node was ejected must not extend the ejection.
    if (state.ejectedUntil > now) return;
    if (++state.consecutiveFailures < this.consecutiveFailures) return;
    const forgiven =
      state.ejectedUntil === 0 ? 0 : Math.floor((now - state.ejectedUntil) / this.baseEjectionMs);
    state.ejections = Math.max(0, state.ejections - forgiven) + 1;
    state.ejectedAt = now;
    state.ejectedUntil = now + Math.min(this.maxEjectionMs, this.baseEjectionMs * state.ejections);
    state.consecutiveFailures = 0;
  }

  /**
   * The node to use when every node is ejected: the one ejected longest ago,
   * the likeliest to have recovered (never ejecting all nodes keeps a partial
   * outage from becoming a total one). Prefers nodes not in `exclude`.
   */
  fallback(
    nodes: readonly ServiceNode[],
    table: ServiceNodes,
    exclude: ReadonlySet<string> | undefined,
  ): ServiceNode | undefined {
    let best: ServiceNode | undefined;
    let bestAt = Infinity;
    let bestExcluded = true;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i] as ServiceNode;
      const at = table.states.get(node.id)?.ejectedAt ?? 0;
      const excluded = exclude?.has(node.id) === true;
      if (
        best === undefined ||
        (bestExcluded && !excluded) ||
        (bestExcluded === excluded && at < bestAt)
      ) {
        best = node;
        bestAt = at;
        bestExcluded = excluded;
      }
    }
    return best;
  }
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`ejection: ${name} must be a positive number, got ${value}`);
  }
  return value;
}

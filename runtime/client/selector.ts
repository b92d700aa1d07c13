import type { DescMethod } from "@bufbuild/protobuf";
import type { Code } from "../errors/code.js";
import type { LocalityPreference, NodeLocality } from "../locality/locality.js";
import type { ServiceNode } from "../registry/registry.js";

/** What a selector knows about the call it picks a node for. */
export interface SelectContext {
  /** Fully qualified service name. */
  readonly service: string;
  readonly method: DescMethod;
  /** Ids of nodes this call already tried (on retries); avoid them if possible. */
  readonly exclude: ReadonlySet<string> | undefined;
  /** Where the caller is now (it changes when its connection fails over); absent: unknown. */
  readonly locate?: (() => NodeLocality | undefined) | undefined;
  /** The call's (else the client's) locality preference; absent: `"nearest"`. */
  readonly locality?: LocalityPreference | undefined;
}

/** How one call on a node ended, for selectors that learn (ejection, latency, load). */
export interface CallOutcome {
  /** `undefined` on success. */
  readonly code: Code | undefined;
  readonly durationMs: number;
  /** True when the request certainly never reached the node (e.g. no responders). */
  readonly undelivered: boolean;
}

/**
 * Picks the node each call goes to. Round robin by default; selectors with
 * memory (ejection of failing nodes, least pending, power of two choices) use
 * the optional hooks, which the client calls for every call it starts and ends.
 */
export interface Selector {
  /** A node among `nodes` (never empty), or `undefined` to fail the call with `Unavailable`. */
  select(nodes: readonly ServiceNode[], context: SelectContext): ServiceNode | undefined;
  /** A call on `node` starts. */
  onCallStart?(node: ServiceNode, context: SelectContext): void;
  /** A call on `node` ended. */
  onCallEnd?(node: ServiceNode, outcome: CallOutcome, context: SelectContext): void;
}

/** Each call to the next node, in turn, per service; skips excluded nodes when it can. */
export class RoundRobinSelector implements Selector {
  private readonly counters = new Map<string, number>();

  select(nodes: readonly ServiceNode[], context: SelectContext): ServiceNode | undefined {
    const start = this.counters.get(context.service) ?? 0;
    this.counters.set(context.service, (start + 1) % 0x7fffffff);
    const n = nodes.length;
    const exclude = context.exclude;
    if (exclude !== undefined && exclude.size > 0) {
      for (let i = 0; i < n; i++) {
        const node = nodes[(start + i) % n] as ServiceNode;
        if (!exclude.has(node.id)) return node;
      }
    }
    return nodes[start % n];
  }
}

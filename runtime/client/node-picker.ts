import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import type { LocalityPreference, NodeLocality } from "../locality/locality.js";
import type { LookupOptions, Registry, ServiceInfo, ServiceNode } from "../registry/registry.js";
import type { SelectContext, Selector } from "./selector.js";

/** Finds the nodes of one service in the registry and lets the selector pick one. */
export class NodePicker {
  readonly serviceName: string;

  constructor(
    private readonly registry: Registry,
    service: DescService,
    readonly selector: Selector,
    private readonly lookup: LookupOptions,
    /** Where the caller is; see `SelectContext.locate`. */
    readonly locate?: (() => NodeLocality | undefined) | undefined,
    /** The client's locality preference. */
    readonly locality?: LocalityPreference | undefined,
  ) {
    this.serviceName = service.typeName;
  }

  /** Live nodes of the service; `NotFound` when there are none. */
  async nodes(): Promise<readonly ServiceNode[]> {
    try {
      return this.nodesOf(await this.registry.getService(this.serviceName, this.lookup));
    } catch (cause) {
      throw this.lookupError(cause);
    }
  }

  /**
   * The registry's answer, unwrapped: for callers that await it themselves
   * (one promise hop fewer per call than `nodes()`), then pass the result to
   * `nodesOf` and a failure to `lookupError`.
   */
  services(): Promise<ServiceInfo[]> {
    return this.registry.getService(this.serviceName, this.lookup);
  }

  /** The registry's answer when its cache has it now (no promise hop), else undefined. */
  cachedServices(): ServiceInfo[] | undefined {
    return this.registry.cachedService?.(this.serviceName, this.lookup);
  }

  /** The nodes of the registry's answer; `NotFound` when there are none. */
  nodesOf(infos: readonly ServiceInfo[]): readonly ServiceNode[] {
    // One version is the common case: its node list as it is, no copy.
    const nodes =
      infos.length === 1 ? (infos[0] as ServiceInfo).nodes : infos.flatMap((s) => s.nodes);
    if (nodes.length === 0) {
      throw new RpcError(Code.NotFound, `no node of service ${this.serviceName} is registered`);
    }
    return nodes;
  }

  /** A lookup failure as the call reports it: `RpcError`s as they are, others `Unavailable`. */
  lookupError(cause: unknown): RpcError {
    if (cause instanceof RpcError) return cause;
    return new RpcError(Code.Unavailable, `service lookup of ${this.serviceName} failed`, {
      cause,
    });
  }

  /** The selection context of calls of `method`, without per-call details. */
  contextFor(method: DescMethod): SelectContext {
    return {
      service: this.serviceName,
      method,
      exclude: undefined,
      locate: this.locate,
      locality: this.locality,
    };
  }

  /** `context` with a call's own locality preference, if it has one. */
  withLocality(context: SelectContext, locality: LocalityPreference | undefined): SelectContext {
    return locality === undefined ? context : { ...context, locality };
  }

  /** The node for a call; `Unavailable` when the selector declines every node. */
  pick(nodes: readonly ServiceNode[], context: SelectContext): ServiceNode {
    const node = this.selector.select(nodes, context);
    if (node === undefined) {
      throw new RpcError(Code.Unavailable, `no usable node of service ${this.serviceName}`);
    }
    return node;
  }
}

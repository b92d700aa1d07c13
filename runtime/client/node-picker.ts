import type { DescService } from "@bufbuild/protobuf";
import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
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
  ) {
    this.serviceName = service.typeName;
  }

  /** Live nodes of the service; `NotFound` when there are none. */
  async nodes(): Promise<readonly ServiceNode[]> {
    let infos: ServiceInfo[];
    try {
      infos = await this.registry.getService(this.serviceName, this.lookup);
    } catch (cause) {
      if (cause instanceof RpcError) throw cause;
      throw new RpcError(Code.Unavailable, `service lookup of ${this.serviceName} failed`, {
        cause,
      });
    }
    // One version is the common case: its node list as it is, no copy.
    const nodes =
      infos.length === 1 ? (infos[0] as ServiceInfo).nodes : infos.flatMap((s) => s.nodes);
    if (nodes.length === 0) {
      throw new RpcError(Code.NotFound, `no node of service ${this.serviceName} is registered`);
    }
    return nodes;
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

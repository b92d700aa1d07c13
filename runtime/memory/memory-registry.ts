import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import { aggregateServices, withoutDescriptors } from "../registry/aggregate-services.js";
import { EventStream } from "../registry/event-stream.js";
import { describeLookup, filterServices } from "../registry/lookup-filter.js";
import type {
  LookupOptions,
  Registry,
  RegistryWatcher,
  ServiceInfo,
} from "../registry/registry.js";

/**
 * An in-process registry for unit tests of services: the same semantics as
 * the NATS registry (aggregation by name and version, filters, NotFound,
 * watch events) without a network. Nodes never expire: nothing here can crash
 * without deregistering.
 */
export class MemoryRegistry implements Registry {
  /** One record per node, keyed by name, version and node id. */
  private readonly records = new Map<string, ServiceInfo>();
  private readonly events = new EventStream();
  private closed = false;

  async register(service: ServiceInfo): Promise<void> {
    this.assertOpen();
    for (const node of service.nodes) {
      const single: ServiceInfo = { ...service, nodes: [node] };
      this.records.set(key(service, node.id), single);
      this.events.emit({ type: "register", service: single });
    }
  }

  async deregister(service: ServiceInfo): Promise<void> {
    if (this.closed) return;
    const withdrawn = service.nodes.filter((n) => this.records.delete(key(service, n.id)));
    if (withdrawn.length > 0) {
      this.events.emit({ type: "deregister", service: { ...service, nodes: withdrawn } });
    }
  }

  async getService(name: string, options?: LookupOptions): Promise<ServiceInfo[]> {
    this.assertOpen();
    if (options?.signal?.aborted) throw RpcError.from(options.signal.reason, Code.Canceled);
    const found = this.lookup(name, options);
    if (found.length === 0) {
      throw new RpcError(Code.NotFound, `no live node of service ${describeLookup(name, options)}`);
    }
    return found;
  }

  cachedService(name: string, options?: LookupOptions): ServiceInfo[] | undefined {
    if (this.closed || options?.signal?.aborted) return undefined;
    const found = this.lookup(name, options);
    return found.length > 0 ? found : undefined;
  }

  private lookup(name: string, options: LookupOptions | undefined): ServiceInfo[] {
    const matching: ServiceInfo[] = [];
    for (const record of this.records.values()) if (record.name === name) matching.push(record);
    return filterServices(aggregateServices(matching), options);
  }

  async listServices(): Promise<ServiceInfo[]> {
    this.assertOpen();
    return aggregateServices([...this.records.values()].map(withoutDescriptors));
  }

  watch(options?: { service?: string }): RegistryWatcher {
    this.assertOpen();
    return this.events.open(options?.service);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.events.closeAll();
  }

  private assertOpen(): void {
    if (this.closed) throw new RpcError(Code.Unavailable, "registry is closed");
  }
}

function key(service: ServiceInfo, nodeId: string): string {
  return `${service.name}\u0000${service.version}\u0000${nodeId}`;
}

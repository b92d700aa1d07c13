// TEMPORARY SKELETON (replaced by the registry work): lets natsRuntime compile.
import type { NatsConnection } from "@nats-io/transport-node";
import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import type { Registry, RegistryWatcher, ServiceInfo } from "./registry.js";

export interface NatsRegistryOptions {
  namespace?: string;
}

const todo = () => new RpcError(Code.Unimplemented, "NatsRegistry: not implemented yet");

export class NatsRegistry implements Registry {
  constructor(
    readonly nc: NatsConnection,
    readonly options: NatsRegistryOptions = {},
  ) {}
  async register(_service: ServiceInfo): Promise<void> {
    throw todo();
  }
  async deregister(_service: ServiceInfo): Promise<void> {
    throw todo();
  }
  async getService(_name: string): Promise<ServiceInfo[]> {
    throw todo();
  }
  async listServices(): Promise<ServiceInfo[]> {
    throw todo();
  }
  watch(): RegistryWatcher {
    throw todo();
  }
  async close(): Promise<void> {}
}

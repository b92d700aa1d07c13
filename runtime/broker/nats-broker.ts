// TEMPORARY SKELETON (replaced by the broker work): lets natsRuntime compile.
import type { NatsConnection } from "@nats-io/transport-node";
import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import type { Broker, BrokerSubscription } from "./broker.js";

export interface NatsBrokerOptions {
  namespace?: string;
}

const todo = () => new RpcError(Code.Unimplemented, "NatsBroker: not implemented yet");

export class NatsBroker implements Broker {
  constructor(
    readonly nc: NatsConnection,
    readonly options: NatsBrokerOptions = {},
  ) {}
  async publish(): Promise<void> {
    throw todo();
  }
  async subscribe(): Promise<BrokerSubscription> {
    throw todo();
  }
  async close(): Promise<void> {}
}

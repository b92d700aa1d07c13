// TEMPORARY SKELETON (replaced by the transport work): lets natsRuntime compile.
import type { NatsConnection } from "@nats-io/transport-node";
import type { Transport } from "./transport.js";

export interface NatsTransportOptions {
  namespace?: string;
}

export class NatsTransport implements Transport {
  readonly kind = "nats";
  constructor(
    readonly nc: NatsConnection,
    readonly options: NatsTransportOptions = {},
  ) {}
}

import type { MsgHdrs } from "@nats-io/nats-core";
import type { BrokerMessage } from "../../broker/broker.js";
import { fromNatsHeaders } from "./headers.js";

/**
 * A delivered NATS message as a {@link BrokerMessage}. Headers are converted
 * on first access only: most handlers of typed events never read them.
 */
export class NatsBrokerMessage implements BrokerMessage {
  #raw: MsgHdrs | undefined;
  #headers: Record<string, string> | undefined;

  constructor(
    readonly subject: string,
    raw: MsgHdrs | undefined,
    readonly body: Uint8Array,
    readonly deliveryCount: number,
  ) {
    this.#raw = raw;
  }

  get headers(): Readonly<Record<string, string>> {
    this.#headers ??= fromNatsHeaders(this.#raw);
    return this.#headers;
  }
}

import type { JsMsg } from "@nats-io/jetstream";
import type { Msg } from "@nats-io/nats-core";
import type { BrokerMessage } from "../../broker/broker.js";
import { coreMessageHeaders, fromNatsHeaders } from "./headers.js";

/**
 * A delivered NATS message as a {@link BrokerMessage}. Headers are parsed on
 * first access only: typed events read one header, most handlers none.
 */
export class NatsBrokerMessage implements BrokerMessage {
  #source: Msg | JsMsg;
  #core: boolean;
  #headers: Readonly<Record<string, string>> | undefined;

  private constructor(
    readonly subject: string,
    source: Msg | JsMsg,
    core: boolean,
    readonly body: Uint8Array,
    readonly deliveryCount: number,
  ) {
    this.#source = source;
    this.#core = core;
  }

  /** A core NATS message (its raw header block may be read directly). */
  static core(subject: string, msg: Msg): NatsBrokerMessage {
    return new NatsBrokerMessage(subject, msg, true, msg.data, 1);
  }

  /** A JetStream delivery (headers through nats.js). */
  static durable(subject: string, m: JsMsg, deliveryCount: number): NatsBrokerMessage {
    return new NatsBrokerMessage(subject, m, false, m.data, deliveryCount);
  }

  get headers(): Readonly<Record<string, string>> {
    this.#headers ??= this.#core
      ? coreMessageHeaders(this.#source as Msg)
      : fromNatsHeaders(this.#source.headers);
    return this.#headers;
  }
}

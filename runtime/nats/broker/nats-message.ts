import type { JsMsg } from "@nats-io/jetstream";
import type { Msg } from "@nats-io/nats-core";
import type { BrokerMessage } from "../../broker/broker.js";
import { withoutNamespace } from "../../broker/subjects.js";
import { coreHeadersAre, coreMessageHeaders, fromNatsHeaders } from "./headers.js";

/**
 * A delivered NATS message as a {@link BrokerMessage}. Subject and headers
 * are read on first access only: typed events check one header (from its
 * bytes, see `headersAre`), most handlers read neither.
 */
export class NatsBrokerMessage implements BrokerMessage {
  #source: Msg | JsMsg;
  #core: boolean;
  #namespace: string | undefined;
  #subject: string | undefined;
  #headers: Readonly<Record<string, string>> | undefined;

  private constructor(
    namespace: string | undefined,
    subject: string | undefined,
    source: Msg | JsMsg,
    core: boolean,
    readonly body: Uint8Array,
    readonly deliveryCount: number,
  ) {
    this.#namespace = namespace;
    this.#subject = subject;
    this.#source = source;
    this.#core = core;
  }

  /**
   * A core NATS message (its raw header block may be read directly). Its
   * subject, without `namespace`, is decoded when first read.
   */
  static core(namespace: string | undefined, msg: Msg): NatsBrokerMessage {
    return new NatsBrokerMessage(namespace, undefined, msg, true, msg.data, 1);
  }

  /** A JetStream delivery (headers through nats.js). */
  static durable(subject: string, m: JsMsg, deliveryCount: number): NatsBrokerMessage {
    return new NatsBrokerMessage(undefined, subject, m, false, m.data, deliveryCount);
  }

  get subject(): string {
    this.#subject ??= withoutNamespace(this.#namespace, this.#source.subject);
    return this.#subject;
  }

  get headers(): Readonly<Record<string, string>> {
    this.#headers ??= this.#core
      ? coreMessageHeaders(this.#source as Msg)
      : fromNatsHeaders(this.#source.headers);
    return this.#headers;
  }

  headersAre(record: Readonly<Record<string, string>>): boolean {
    return this.#core && this.#headers === undefined && coreHeadersAre(this.#source as Msg, record);
  }
}

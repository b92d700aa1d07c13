import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import type { BrokerMessage, BrokerSubscription, DurableOptions } from "../broker/broker.js";
import type { RuntimeLike } from "../runtime.js";

/** How an event travels; generated from the `(protonats.v1.event)` message option. */
export interface EventOptions {
  /** Subject template, e.g. `orders.{region}.placed`: braced tokens come from fields. */
  subject: string;
  /** Default queue group of subscribers ("" or absent: every subscriber gets every event). */
  queue?: string;
  /** Store in JetStream: at-least-once, redelivered on failure, dead-lettered in the end. */
  durable?: boolean;
  /** JetStream stream; default derived from the subject's first token (`orders...` → `ORDERS`). */
  stream?: string;
  /**
   * Age past which the stream discards events, when protonats creates it.
   * Default 7 days; `0` for no limit. An existing stream keeps its own
   * limits (a difference is logged).
   */
  streamMaxAgeMs?: number;
  /** Size past which the stream discards its oldest events, when created. Default 1 GiB; `0`: none. */
  streamMaxBytes?: number;
}

/** What a handler knows about the event besides its content. */
export interface EventContext {
  /** The concrete subject (without namespace), e.g. `orders.eu.placed`. */
  readonly subject: string;
  /** Field tokens read back from the subject, e.g. `{ region: "eu" }`. */
  readonly tokens: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  /** 1 on first delivery; more when a durable event is redelivered. */
  readonly deliveryCount: number;
}

export type EventHandler<D extends DescMessage> = (
  event: MessageShape<D>,
  context: EventContext,
) => void | Promise<void>;

export interface EventPublishOptions {
  headers?: Record<string, string>;
  /**
   * De-duplication id of a durable event (`Nats-Msg-Id`): publishing again
   * with the same id within the stream's duplicate window stores it once.
   * Default: a fresh unique id per call.
   */
  messageId?: string;
  /** Overrides the event's `durable` option for this publish. */
  durable?: boolean;
}

export interface EventSubscribeOptions {
  /** Queue group; default the event's `queue`. `""` opts out: this subscriber gets every event. */
  queue?: string;
  /** Tokens to filter on, e.g. `{ region: "eu" }`; tokens left out match anything. */
  tokens?: Partial<Record<string, string>>;
  /**
   * Consume from JetStream (default: the event's `durable`). `true` uses the
   * event's stream and a durable consumer named `<queue>-<Message>` (e.g.
   * `billing-OrderShipped`), shared by every subscriber of that queue; without
   * a queue (and no `name`) the consumer is ephemeral. An object tunes it.
   */
  durable?: boolean | Partial<DurableOptions>;
  /**
   * Called when the handler fails or the payload cannot be decoded (then the
   * error is an `RpcError` `InvalidArgument`). Default: logged by the broker.
   */
  onError?: (error: unknown, message: BrokerMessage) => void;
}

/**
 * A typed event: a protobuf message type bound to a subject. Generated code
 * exports one per event message, e.g. `OrderPlacedEvent`.
 */
export interface EventDefinition<D extends DescMessage> {
  readonly schema: D;
  readonly options: Readonly<EventOptions>;
  /** JetStream stream the event is stored in when durable (without namespace). */
  readonly stream: string;
  /**
   * Publishes an event. Core events resolve once handed to NATS; durable ones
   * once stored. A field that cannot fill a subject token fails with
   * `InvalidArgument` before anything is sent.
   */
  publish(
    runtime: RuntimeLike,
    event: MessageInitShape<D>,
    options?: EventPublishOptions,
  ): Promise<void>;
  /** Subscribes a handler; resolves once events published afterwards will be received. */
  subscribe(
    runtime: RuntimeLike,
    handler: EventHandler<D>,
    options?: EventSubscribeOptions,
  ): Promise<EventSubscription>;
  /**
   * Subscribes for `for await (const { event, context } of subscription)`;
   * resolves once events published afterwards will be received. Leaving the
   * loop unsubscribes. See {@link EventIterator} for when an event counts as handled.
   */
  subscribe(runtime: RuntimeLike, options?: EventSubscribeOptions): Promise<EventIterator<D>>;
  /** The concrete subject an event is published on. */
  subjectFor(event: MessageInitShape<D>): string;
  /** A subscription pattern: given tokens filled in, the others `*`. */
  pattern(tokens?: Partial<Record<string, string>>): string;
}

/** A running event subscription; `await using` unsubscribes it. */
export interface EventSubscription extends BrokerSubscription {
  [Symbol.asyncDispose](): Promise<void>;
}

/** One event as an event iterator yields it. */
export interface ReceivedEvent<D extends DescMessage> {
  readonly event: MessageShape<D>;
  readonly context: EventContext;
}

/**
 * An event subscription read with `for await`. An event counts as handled
 * (acknowledged, when durable) once the loop body for it finished: at the next
 * iteration or when the loop is left. Leaving the loop ends the subscription;
 * events received but not yet taken are given back (durable: redelivered).
 */
export interface EventIterator<D extends DescMessage>
  extends EventSubscription,
    AsyncIterable<ReceivedEvent<D>> {}

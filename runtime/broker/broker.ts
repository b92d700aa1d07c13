import type { StreamLimits } from "./stream-limits.js";

/** A message as the broker delivers it. */
export interface BrokerMessage {
  readonly subject: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  /** 1 for a first delivery; higher when a durable message is redelivered. */
  readonly deliveryCount: number;
  /**
   * Whether the headers are exactly the frozen `record`, when the broker can
   * tell without parsing them (the NATS broker compares a core message's
   * header bytes with those it sends for `record`). False means "not known
   * to be": read `headers`. Optional: a broker without it is read through `headers`.
   */
  headersAre?(record: Readonly<Record<string, string>>): boolean;
}

export interface PublishOptions {
  headers?: Record<string, string>;
  /**
   * Store the message in JetStream and wait for its acknowledgement. The
   * subject must be covered by a stream (see `stream`).
   */
  durable?: boolean;
  /** JetStream stream to ensure for a durable publish. */
  stream?: string;
  /**
   * Subject pattern the stream must store, e.g. `orders.*.shipped`, so that
   * one stream holds every subject of an event. Default: the published subject.
   */
  streamSubject?: string;
  /** De-duplication id for a durable publish (`Nats-Msg-Id`). */
  messageId?: string;
  /** Limits of `stream` when it has to be created (see `StreamLimits` for defaults). */
  streamLimits?: StreamLimits;
}

export interface SubscribeOptions {
  /** Subscribers with the same queue name share the messages (NATS queue group). */
  queue?: string;
  /**
   * Consume from JetStream: at-least-once, acknowledged after the handler
   * succeeds, redelivered with backoff when it throws.
   */
  durable?: DurableOptions;
  /** Called when a handler throws or a message cannot be processed. */
  onError?: (error: unknown, message: BrokerMessage) => void;
}

export interface DurableOptions {
  /**
   * Stream holding the subject. Created when missing (file storage,
   * `streamLimits`, 2-minute duplicate window, one replica); an existing
   * stream keeps its settings and only gains the subject (differing limits
   * are reported through the logger). Create it yourself to choose replicas.
   * In a namespace the stream is `<namespace>_<stream>`.
   */
  stream: string;
  /**
   * Limits of `stream` when it has to be created. Default: 7 days, 1 GiB
   * (`defaultStreamLimits`); `0` for no limit.
   */
  streamLimits?: StreamLimits;
  /** Subject pattern the stream must store. Default: the subscribed subject. */
  streamSubject?: string;
  /**
   * Name of the durable consumer. Subscribers with the same name share one
   * consumer (load shared, each message processed by one of them). Defaults to
   * the queue name. Without a name or queue the consumer is ephemeral: it
   * lives as long as the subscription and only receives events published
   * while it exists.
   */
  name?: string;
  /**
   * Handler runs before a failing message goes to the dead-letter subject.
   * Default 5. A handler that throws an `RpcError` with `InvalidArgument` or
   * `DataLoss` (as decoding a malformed event does) dead-letters it at once.
   */
  maxDeliveries?: number;
  /**
   * Delay before the n-th redelivery is `backoffMs[n - 1]` (the last one
   * repeats), in milliseconds. Default 1 s, 5 s, 15 s, 30 s.
   */
  backoffMs?: number[];
  /**
   * Subject that receives messages whose deliveries are exhausted (or that can
   * never succeed), with the `Pn-Dlq-*` headers of `DeadLetterHeader`. Default
   * `pn.dlq.<stream>.<consumer>` (namespaced). Stored in JetStream: in the
   * stream that already stores the subject, else in `PN_DLQ` (created).
   */
  deadLetterSubject?: string;
  /** How long the server waits for an acknowledgement before redelivering. Default 30 s. */
  ackWaitMs?: number;
  /**
   * Where a consumer that does not exist yet starts: `"all"` replays what the
   * stream holds, `"new"` only takes events published from now on. Default
   * `"all"` for a named consumer, `"new"` for an ephemeral one.
   */
  startAt?: "all" | "new";
}

export interface BrokerSubscription {
  readonly subject: string;
  /** Stops delivery; waits for handlers in progress to finish. */
  unsubscribe(): Promise<void>;
}

export type BrokerHandler = (message: BrokerMessage) => void | Promise<void>;

/**
 * Publish/subscribe. Fire-and-forget (NATS core) unless `durable` is asked for.
 * A handler that throws never ends its subscription.
 */
export interface Broker {
  /**
   * `body` may be a view into a larger buffer shared with other bodies (typed
   * events encode into a pooled slab, never overwritten): read it through its
   * own `byteOffset` and `byteLength`, and never transfer its `buffer`.
   */
  publish(subject: string, body: Uint8Array, options?: PublishOptions): Promise<void>;
  subscribe(
    subject: string,
    handler: BrokerHandler,
    options?: SubscribeOptions,
  ): Promise<BrokerSubscription>;
  close(): Promise<void>;
}

/** A message as the broker delivers it. */
export interface BrokerMessage {
  readonly subject: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  /** 1 for a first delivery; higher when a durable message is redelivered. */
  readonly deliveryCount: number;
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
   * Stream holding the subject. Created when missing (file storage, no
   * limits, 2-minute duplicate window, one replica); an existing stream keeps
   * its settings and only gains the subject. Create it yourself to choose
   * limits or replicas.
   */
  stream: string;
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
  /** Deliveries before a message goes to the dead-letter subject. Default 5. */
  maxDeliveries?: number;
  /** Delays between redeliveries, in milliseconds. */
  backoffMs?: number[];
  /**
   * Subject that receives messages whose deliveries are exhausted (or that can
   * never succeed). Default `pn.dlq.<stream>.<consumer>` (namespaced).
   */
  deadLetterSubject?: string;
  /** How long the server waits for an acknowledgement before redelivering. Default 30 s. */
  ackWaitMs?: number;
  /**
   * Where a consumer that does not exist yet starts: `"all"` (default) replays
   * what the stream holds, `"new"` only takes events published from now on.
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
  publish(subject: string, body: Uint8Array, options?: PublishOptions): Promise<void>;
  subscribe(
    subject: string,
    handler: BrokerHandler,
    options?: SubscribeOptions,
  ): Promise<BrokerSubscription>;
  close(): Promise<void>;
}

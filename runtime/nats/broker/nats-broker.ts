import type { NatsConnection } from "@nats-io/nats-core";
import { nuid } from "@nats-io/nats-core";
import type {
  Broker,
  BrokerHandler,
  BrokerSubscription,
  DurableOptions,
  PublishOptions,
  SubscribeOptions,
} from "../../broker/broker.js";
import { type BrokerLogger, loggingReporter } from "../../broker/report.js";
import { isConcreteSubject, isValidSubject, withNamespace } from "../../broker/subjects.js";
import { Code } from "../../errors/code.js";
import { RpcError } from "../../errors/rpc-error.js";
import { WriteCoalescer } from "../transport/write-coalescer.js";
import { CoreSubscription } from "./core-subscription.js";
import { durableHeaders, publishHeaders, toNatsHeaders } from "./headers.js";
import { DurableSubscription } from "./jetstream/durable-subscription.js";
import { JetStreamAccess } from "./jetstream/jetstream-access.js";
import { consumerName, deadLetterStreamName, streamName } from "./jetstream/names.js";
import { StreamEnsurer } from "./jetstream/stream-ensurer.js";
import { natsFailure } from "./nats-failure.js";

export interface NatsBrokerOptions {
  /** Prefix of every subject and stream this broker uses. */
  namespace?: string;
  /** Where failures without an `onError` are reported. Default: `console`. */
  logger?: BrokerLogger;
}

const noOptions: PublishOptions = {};
/** What a core publish returns: it has nothing to wait for. */
const published: Promise<void> = Promise.resolve();

/** Defaults of a durable subscription, see {@link DurableOptions}. */
export const durableDefaults = {
  maxDeliveries: 5,
  backoffMs: [1_000, 5_000, 15_000, 30_000],
  ackWaitMs: 30_000,
} as const;

/**
 * The broker over NATS. Two delivery modes:
 *
 * - **Core** (default): NATS publish/subscribe, at-most-once. Fast, nothing
 *   stored: an event published while nobody listens is gone, and a subscriber
 *   that crashes mid-handler loses that event. A queue group delivers each
 *   event to one member.
 * - **Durable** (`durable`): JetStream, at-least-once. A publish resolves once
 *   the stream has stored the event (a duplicate `messageId` within the
 *   stream's duplicate window, 2 minutes by default, is stored once); a
 *   consumer acknowledges after its handler succeeds, so an event can be
 *   handled twice (crash after the handler, before the ack) but is never lost
 *   while the stream keeps it. Failures are redelivered with backoff, then
 *   dead-lettered.
 *
 * Handler failures never end a subscription; they go to `onError`, or to the
 * logger when there is none. Async handlers of one subscription run
 * concurrently (durable: up to the consumer's max_ack_pending, 1000 by
 * default), so neither mode promises processing order.
 */
export class NatsBroker implements Broker {
  readonly #namespace: string | undefined;
  readonly #logger: BrokerLogger;
  readonly #jetstream: JetStreamAccess;
  readonly #streams: StreamEnsurer;
  readonly #subscriptions = new Set<BrokerSubscription>();
  readonly #writes: WriteCoalescer;
  #lastSubject = "";
  #lastFull = "";

  constructor(
    readonly nc: NatsConnection,
    readonly options: NatsBrokerOptions = {},
  ) {
    this.#namespace = options.namespace || undefined;
    this.#logger = options.logger ?? console;
    this.#jetstream = new JetStreamAccess(nc);
    this.#streams = new StreamEnsurer(this.#jetstream, this.#logger);
    this.#writes = new WriteCoalescer(nc);
  }

  /**
   * Publishes `body` on `subject`. Core: fire-and-forget, resolves once the
   * message is handed to the connection. Durable: resolves with the stream's
   * acknowledgement; fails with `Unavailable` or `DeadlineExceeded` (the event
   * may or may not be stored: publish again with the same `messageId`, which
   * stores it once) or `FailedPrecondition` (stream configuration conflict).
   */
  publish(subject: string, body: Uint8Array, options: PublishOptions = noOptions): Promise<void> {
    if (options.durable) return this.#publishDurable(subject, body, options);
    // Core: no promise of our own, no async frame; failures still reject, never throw.
    let full: string;
    try {
      full = this.#concrete(subject);
    } catch (error) {
      return Promise.reject(error);
    }
    try {
      const h = publishHeaders(options.headers);
      // Events published one after another (each awaited) share a socket write.
      this.#writes.hold();
      this.nc.publish(full, body, h ? { headers: h } : undefined);
    } catch (error) {
      return Promise.reject(natsFailure(error, `cannot publish on ${subject}`));
    }
    return published;
  }

  /**
   * `subject` checked and namespaced. The last one is remembered: publishers
   * repeat a few subjects, and checking costs more than comparing.
   */
  #concrete(subject: string): string {
    if (subject === this.#lastSubject) return this.#lastFull;
    checkSubject(subject, false);
    const full = withNamespace(this.#namespace, subject);
    this.#lastSubject = subject;
    this.#lastFull = full;
    return full;
  }

  async #publishDurable(subject: string, body: Uint8Array, options: PublishOptions): Promise<void> {
    const full = this.#concrete(subject);
    const stream =
      options.stream === undefined ? undefined : streamName(this.#namespace, options.stream);
    const stored = withNamespace(this.#namespace, options.streamSubject ?? subject);
    const messageId = options.messageId ?? nuid.next();
    try {
      await this.#publishOnce(full, body, stream, stored, messageId, options);
    } catch (error) {
      if (!(stream && error instanceof Error && error.name === "JetStreamNotEnabled")) {
        throw natsFailure(error, `durable publish on ${subject} failed`);
      }
      // No stream answered: it was deleted since we ensured it. Ensure again, once.
      this.#streams.forget(stream);
      try {
        await this.#publishOnce(full, body, stream, stored, messageId, options);
      } catch (retryError) {
        throw natsFailure(retryError, `durable publish on ${subject} failed`);
      }
    }
  }

  async #publishOnce(
    full: string,
    body: Uint8Array,
    stream: string | undefined,
    stored: string,
    messageId: string,
    options: PublishOptions,
  ): Promise<void> {
    // Once ensured, no await: each hop delays the request past nats.js's flush.
    if (stream && !this.#streams.ensured(stream, stored)) {
      await this.#streams.ensure(stream, stored, options.streamLimits);
    }
    // Retries are safe thanks to the message id: a stored event sent again is dropped as a duplicate.
    const withId = durableHeaders(options.headers, messageId);
    if (withId !== undefined) {
      await this.#jetstream.client.publish(full, body, { headers: withId, retries: 2 });
      return;
    }
    const h = toNatsHeaders(options.headers);
    await this.#jetstream.client.publish(
      full,
      body,
      h ? { msgID: messageId, retries: 2, headers: h } : { msgID: messageId, retries: 2 },
    );
  }

  /**
   * Subscribes `handler` to `subject` (wildcards allowed). Resolves once the
   * server has registered the interest (core) or the consumer is ready
   * (durable), so a publish made afterwards is received.
   */
  async subscribe(
    subject: string,
    handler: BrokerHandler,
    options: SubscribeOptions = {},
  ): Promise<BrokerSubscription> {
    checkSubject(subject, true);
    const full = withNamespace(this.#namespace, subject);
    const report = options.onError ?? loggingReporter(this.#logger);
    let subscription: BrokerSubscription;
    if (options.durable) {
      subscription = await this.#subscribeDurable(subject, full, handler, options.durable, {
        report,
        queue: options.queue,
      });
    } else {
      subscription = await this.#subscribeCore(subject, full, handler, report, options.queue);
    }
    return this.#track(subscription);
  }

  async #subscribeCore(
    subject: string,
    full: string,
    handler: BrokerHandler,
    report: NonNullable<SubscribeOptions["onError"]>,
    queue: string | undefined,
  ): Promise<BrokerSubscription> {
    let subscription: CoreSubscription | undefined;
    try {
      subscription = new CoreSubscription(this.nc, subject, full, handler, {
        namespace: this.#namespace,
        queue: queue || undefined,
        report,
        logger: this.#logger,
      });
      // The server knows the interest once it answered: a publish made afterwards reaches us.
      await this.nc.flush();
      return subscription;
    } catch (error) {
      await subscription?.unsubscribe();
      throw natsFailure(error, `cannot subscribe to ${subject}`);
    }
  }

  async #subscribeDurable(
    subject: string,
    full: string,
    handler: BrokerHandler,
    durable: DurableOptions,
    extra: { report: NonNullable<SubscribeOptions["onError"]>; queue: string | undefined },
  ): Promise<BrokerSubscription> {
    const ns = this.#namespace;
    const stream = streamName(ns, durable.stream);
    const maxDeliveries = durable.maxDeliveries ?? durableDefaults.maxDeliveries;
    if (!Number.isInteger(maxDeliveries) || maxDeliveries < 1) {
      throw new RpcError(Code.InvalidArgument, "maxDeliveries must be a positive integer");
    }
    const named = durable.name || extra.queue || undefined;
    const consumer = named === undefined ? undefined : consumerName(named);
    const deadLetterSubject = withNamespace(
      ns,
      durable.deadLetterSubject ?? `pn.dlq.${durable.stream}.${consumer ?? "ephemeral"}`,
    );
    checkSubject(deadLetterSubject, false);
    await this.#streams.ensure(
      stream,
      withNamespace(ns, durable.streamSubject ?? subject),
      durable.streamLimits,
    );
    await this.#streams.ensureStored(
      deadLetterSubject,
      deadLetterStreamName(ns),
      // One stream for every default dead-letter subject rather than one subject per consumer.
      durable.deadLetterSubject === undefined ? withNamespace(ns, "pn.dlq.>") : deadLetterSubject,
    );
    return DurableSubscription.start(
      {
        access: this.#jetstream,
        namespace: ns,
        subject,
        fullSubject: full,
        stream,
        consumer,
        deadLetterSubject,
        maxDeliveries,
        backoffMs: durable.backoffMs ?? durableDefaults.backoffMs,
        ackWaitMs: durable.ackWaitMs ?? durableDefaults.ackWaitMs,
        startAt: durable.startAt ?? (consumer === undefined ? "new" : "all"),
        report: extra.report,
        logger: this.#logger,
      },
      handler,
    );
  }

  #track(subscription: BrokerSubscription): BrokerSubscription {
    this.#subscriptions.add(subscription);
    const subscriptions = this.#subscriptions;
    return {
      subject: subscription.subject,
      unsubscribe: async () => {
        subscriptions.delete(subscription);
        await subscription.unsubscribe();
      },
    };
  }

  /** Unsubscribes everything subscribed through this broker. The connection stays open. */
  async close(): Promise<void> {
    const all = [...this.#subscriptions];
    this.#subscriptions.clear();
    await Promise.all(all.map((s) => s.unsubscribe()));
  }
}

function checkSubject(subject: string, wildcardsAllowed: boolean): void {
  if (!(wildcardsAllowed ? isValidSubject(subject) : isConcreteSubject(subject))) {
    throw new RpcError(Code.InvalidArgument, `invalid subject "${subject}"`);
  }
}

import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamManager,
  type JsMsg,
} from "@nats-io/jetstream";
import { nanos, headers as natsHeaders, nuid } from "@nats-io/nats-core";
import type { BrokerHandler, BrokerSubscription } from "../../../broker/broker.js";
import { DeadLetterHeader } from "../../../broker/dead-letter-headers.js";
import { InFlight } from "../../../broker/in-flight.js";
import { isPermanentFailure } from "../../../broker/permanent-failure.js";
import { type BrokerLogger, type ErrorReporter, safeReport } from "../../../broker/report.js";
import { withoutNamespace } from "../../../broker/subjects.js";
import { Code } from "../../../errors/code.js";
import { RpcError } from "../../../errors/rpc-error.js";
import { ApiCode, apiCode, natsFailure } from "../nats-failure.js";
import { NatsBrokerMessage } from "../nats-message.js";
import type { JetStreamAccess } from "./jetstream-access.js";

/** What a durable subscription needs, resolved by the broker (names already namespaced). */
export interface DurableSetup {
  access: JetStreamAccess;
  namespace: string | undefined;
  /** Subject as the user gave it (reported back in messages). */
  subject: string;
  /** Subject on the wire: the consumer's filter. */
  fullSubject: string;
  stream: string;
  /** Durable consumer name; `undefined` makes an ephemeral consumer. */
  consumer: string | undefined;
  deadLetterSubject: string;
  maxDeliveries: number;
  backoffMs: readonly number[];
  ackWaitMs: number;
  startAt: "all" | "new";
  report: ErrorReporter;
  logger: BrokerLogger;
}

/** Messages pulled per request; the server's max_ack_pending bounds the rest. */
const pullBatch = 64;
/**
 * Stream sequences of messages this subscription handled and acknowledged,
 * remembered so that a redelivery after a lost ack is acknowledged again
 * instead of handled twice: the ack may die with the connection, and a
 * nats-server killed and restarted may have lost the consumer's recent acks
 * (it then redelivers them as first deliveries).
 */
const rememberedAcks = 4096;
/** How long the server keeps an ephemeral consumer whose subscriber vanished. */
const ephemeralInactiveMs = 5 * 60_000;

/**
 * A JetStream pull consumer feeding a handler, at-least-once:
 * - acknowledged only after the handler succeeds;
 * - negatively acknowledged with a delay (backoff) when it fails, so that the
 *   server redelivers it, possibly to another member of the same consumer;
 * - after `maxDeliveries` failed deliveries, or at once for a permanent
 *   failure (see `isPermanentFailure`), published to the dead-letter subject
 *   (stored in JetStream, with headers saying where it came from and why)
 *   and then terminated, so it is neither redelivered forever nor lost.
 *
 * The bound on deliveries is enforced here rather than with the consumer's
 * `max_deliver`: at that limit the server silently stops delivering, while a
 * message whose handler keeps timing out must still reach the dead-letter
 * subject. A message that arrives with more deliveries than allowed (its
 * handlers never answered in time) is dead-lettered without running again.
 */
export class DurableSubscription implements BrokerSubscription {
  readonly subject: string;
  readonly #inFlight = new InFlight();
  /** Recently acknowledged stream sequences, oldest first (see {@link rememberedAcks}). */
  readonly #acked = new Set<number>();
  #messages: ConsumerMessages | undefined;
  #closing = false;
  #closed: Promise<void> | undefined;
  #consumerName = "";

  private constructor(
    private readonly setup: DurableSetup,
    private readonly handler: BrokerHandler,
  ) {
    this.subject = setup.subject;
  }

  /** Creates (or joins) the consumer and starts consuming. */
  static async start(setup: DurableSetup, handler: BrokerHandler): Promise<DurableSubscription> {
    const subscription = new DurableSubscription(setup, handler);
    await subscription.#start();
    return subscription;
  }

  async #start(): Promise<void> {
    const { access, stream } = this.setup;
    const jsm = await access.manager();
    this.#consumerName = await this.#ensureConsumer(jsm);
    try {
      const consumer = await access.client.consumers.get(stream, this.#consumerName);
      this.#messages = await consumer.consume({
        max_messages: pullBatch,
        callback: (m) => this.#onMessage(m),
      });
    } catch (error) {
      throw natsFailure(error, `cannot consume from ${stream}/${this.#consumerName}`);
    }
    void this.#watchStatus(this.#messages);
  }

  async #ensureConsumer(jsm: JetStreamManager): Promise<string> {
    const { stream, consumer, fullSubject, ackWaitMs, startAt } = this.setup;
    const name = consumer ?? `pn_${nuid.next()}`;
    const config: Partial<ConsumerConfig> = {
      name,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: startAt === "new" ? DeliverPolicy.New : DeliverPolicy.All,
      filter_subject: fullSubject,
      max_deliver: -1,
      ack_wait: nanos(ackWaitMs),
      ...(consumer === undefined
        ? { inactive_threshold: nanos(ephemeralInactiveMs) }
        : { durable_name: name }),
    };
    if (consumer !== undefined) {
      const existing = await this.#consumerInfo(jsm, name);
      if (existing) {
        this.#checkCompatible(name, existing.config);
        return name;
      }
    }
    try {
      await jsm.consumers.add(stream, config);
    } catch (error) {
      // Another member created it at the same moment with other settings: join it if compatible.
      const code = apiCode(error);
      if (
        consumer !== undefined &&
        (code === ApiCode.ConsumerNameExists || code === ApiCode.ConsumerAlreadyExists)
      ) {
        const existing = await this.#consumerInfo(jsm, name);
        if (existing) {
          this.#checkCompatible(name, existing.config);
          return name;
        }
      }
      throw natsFailure(error, `cannot create consumer ${name} on stream ${stream}`);
    }
    return name;
  }

  async #consumerInfo(
    jsm: JetStreamManager,
    name: string,
  ): Promise<{ config: ConsumerConfig } | undefined> {
    try {
      return await jsm.consumers.info(this.setup.stream, name);
    } catch (error) {
      if (apiCode(error) === ApiCode.ConsumerNotFound) return undefined;
      throw natsFailure(error, `cannot read consumer ${name}`);
    }
  }

  #checkCompatible(name: string, config: ConsumerConfig): void {
    const { stream, fullSubject } = this.setup;
    const filter = config.filter_subject ?? "";
    if (filter !== fullSubject && !(filter === "" && fullSubject === ">")) {
      throw new RpcError(
        Code.FailedPrecondition,
        `consumer ${name} on stream ${stream} filters "${filter}", not "${fullSubject}": use another durable name or queue`,
      );
    }
    if (config.ack_policy !== AckPolicy.Explicit || config.deliver_subject) {
      throw new RpcError(
        Code.FailedPrecondition,
        `consumer ${name} on stream ${stream} is not an explicitly acknowledged pull consumer`,
      );
    }
  }

  #onMessage(m: JsMsg): void {
    if (this.#closing) {
      // Pulled while stopping: hand it back at once for another member.
      safely(() => m.nak(), this.setup.logger);
      return;
    }
    const { namespace, maxDeliveries, report, logger } = this.setup;
    if (this.#acked.has(m.seq)) {
      // Handled here already; only the ack was lost.
      safely(() => m.ack(), logger);
      return;
    }
    const message = NatsBrokerMessage.durable(
      withoutNamespace(namespace, m.subject),
      m,
      m.info.deliveryCount,
    );
    if (message.deliveryCount > maxDeliveries) {
      const error = new RpcError(
        Code.DeadlineExceeded,
        `not acknowledged within ${maxDeliveries} deliveries (handler too slow, or its process stopped)`,
      );
      safeReport(report, logger, error, message);
      this.#deadLetter(m, error);
      return;
    }
    this.#inFlight.run(
      () => this.handler(message),
      () => {
        this.#remember(m.seq);
        safely(() => m.ack(), logger);
      },
      (error) => {
        safeReport(report, logger, error, message);
        if (isPermanentFailure(error) || message.deliveryCount >= maxDeliveries) {
          this.#deadLetter(m, error);
        } else {
          safely(() => m.nak(this.#backoff(message.deliveryCount)), logger);
        }
      },
    );
  }

  #remember(seq: number): void {
    const acked = this.#acked;
    acked.add(seq);
    if (acked.size > rememberedAcks) {
      for (const oldest of acked) {
        acked.delete(oldest);
        break;
      }
    }
  }

  #backoff(deliveryCount: number): number {
    const { backoffMs } = this.setup;
    return backoffMs[Math.min(deliveryCount, backoffMs.length) - 1] ?? 0;
  }

  /** Stores the message on the dead-letter subject, then terminates it; on failure, retries later. */
  #deadLetter(m: JsMsg, error: unknown): void {
    const { access, deadLetterSubject, logger } = this.setup;
    const h = natsHeaders();
    if (m.headers) {
      for (const key of m.headers.keys()) {
        // Dedupe and expectation headers belong to the original publish only.
        if (!key.startsWith("Nats-")) h.set(key, m.headers.get(key));
      }
    }
    const code = error instanceof RpcError ? error.code : Code.Unknown;
    const text = error instanceof RpcError ? error.rawMessage : errorText(error);
    h.set(DeadLetterHeader.Subject, m.subject);
    h.set(DeadLetterHeader.Stream, m.info.stream);
    h.set(DeadLetterHeader.Sequence, String(m.seq));
    h.set(DeadLetterHeader.Consumer, m.info.consumer);
    h.set(DeadLetterHeader.Deliveries, String(m.info.deliveryCount));
    h.set(DeadLetterHeader.Code, String(code));
    h.set(DeadLetterHeader.Error, encodeURIComponent(text));
    this.#inFlight.run(
      async () => {
        await access.client.publish(deadLetterSubject, m.data, {
          headers: h,
          // A retried dead-letter after a lost ack is stored once.
          msgID: `${m.info.stream}.${m.info.consumer}.${m.seq}`,
        });
      },
      () => safely(() => m.term(), logger),
      (publishError) => {
        logger.error(
          `protonats: cannot dead-letter ${m.subject} #${m.seq} to ${deadLetterSubject}; it will be redelivered`,
          publishError,
        );
        safely(() => m.nak(this.#backoff(m.info.deliveryCount)), logger);
      },
    );
  }

  async #watchStatus(messages: ConsumerMessages): Promise<void> {
    const { stream, logger } = this.setup;
    for await (const status of messages.status()) {
      if (
        status.type === "consumer_deleted" ||
        status.type === "consumer_not_found" ||
        status.type === "stream_not_found"
      ) {
        logger.error(
          `protonats: durable subscription ${stream}/${this.#consumerName} on ${this.subject}: ${status.type}`,
          status,
        );
      }
    }
  }

  /** Stops pulling, waits for handlers (and their acks) in progress. The durable consumer stays. */
  unsubscribe(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#closing = true;
    const messages = this.#messages;
    if (messages && !this.setup.access.nc.isClosed()) {
      try {
        await messages.close();
        // Once the server has seen the unsubscribe, it sends nothing more our way: a
        // message it sent to a vanished subscriber would wait ack_wait to be redelivered.
        await this.setup.access.nc.flush();
      } catch {
        // Connection closing meanwhile: the server redelivers what was not acknowledged.
      }
    }
    await this.#inFlight.idle();
    if (this.setup.consumer === undefined && !this.setup.access.nc.isClosed()) {
      try {
        const jsm = await this.setup.access.manager();
        await jsm.consumers.delete(this.setup.stream, this.#consumerName);
      } catch {
        // It expires on its own (inactive threshold).
      }
    }
  }
}

function safely(ack: () => void, logger: BrokerLogger): void {
  try {
    ack();
  } catch (error) {
    logger.error("protonats: cannot acknowledge a JetStream message", error);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

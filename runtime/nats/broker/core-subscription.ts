import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import type { BrokerHandler, BrokerSubscription } from "../../broker/broker.js";
import { InFlight } from "../../broker/in-flight.js";
import { type BrokerLogger, type ErrorReporter, safeReport } from "../../broker/report.js";
import { NatsBrokerMessage } from "./nats-message.js";

export interface CoreSubscriptionOptions {
  namespace: string | undefined;
  queue: string | undefined;
  report: ErrorReporter;
  logger: BrokerLogger;
}

/**
 * A NATS core subscription (at-most-once): one callback per message, no
 * promise per message unless the handler is async. A handler that throws or
 * rejects is reported and the subscription goes on.
 */
export class CoreSubscription implements BrokerSubscription {
  readonly #sub: Subscription;
  readonly #inFlight = new InFlight();
  #closed: Promise<void> | undefined;

  constructor(
    private readonly nc: NatsConnection,
    readonly subject: string,
    fullSubject: string,
    handler: BrokerHandler,
    options: CoreSubscriptionOptions,
  ) {
    const { namespace, report, logger } = options;
    this.#sub = nc.subscribe(fullSubject, {
      ...(options.queue ? { queue: options.queue } : {}),
      callback: (err, msg) => {
        if (err) {
          // Subscription-level failure (e.g. permissions): nothing to redeliver.
          logger.error(`protonats: subscription to ${subject} failed`, err);
          return;
        }
        const message = NatsBrokerMessage.core(namespace, msg);
        // No closure per message: only an async handler's promise is tracked.
        let result: void | Promise<void>;
        try {
          result = handler(message);
        } catch (error) {
          safeReport(report, logger, error, message);
          return;
        }
        if (result !== undefined) {
          this.#inFlight.track(result, (error) => safeReport(report, logger, error, message));
        }
      },
    });
  }

  /** Stops taking messages, lets those already received finish, then waits for handlers. */
  unsubscribe(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    if (!this.nc.isClosed()) {
      try {
        await this.#sub.drain();
      } catch {
        // The connection closed meanwhile: nothing more will arrive.
      }
    }
    await this.#inFlight.idle();
  }
}

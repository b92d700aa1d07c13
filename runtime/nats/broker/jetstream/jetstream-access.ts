import {
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { natsFailure } from "../nats-failure.js";

/**
 * The JetStream client and manager of one connection, made on first use so
 * that a broker used only for core pub/sub never talks to JetStream.
 */
export class JetStreamAccess {
  #client: JetStreamClient | undefined;
  #manager: Promise<JetStreamManager> | undefined;

  constructor(readonly nc: NatsConnection) {}

  get client(): JetStreamClient {
    this.#client ??= jetstream(this.nc);
    return this.#client;
  }

  /** The manager; fails with `Unavailable` when the server has no JetStream. */
  manager(): Promise<JetStreamManager> {
    this.#manager ??= jetstreamManager(this.nc).catch((error: unknown) => {
      // Not cached: JetStream may be enabled (or reachable) on the next try.
      this.#manager = undefined;
      throw natsFailure(error, "JetStream unavailable");
    });
    return this.#manager;
  }
}

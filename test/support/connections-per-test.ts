import { type ConnectionOptions, connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll } from "vitest";
import {
  type NatsServerProcess,
  type StartOptions,
  startNatsServer,
} from "../harness/nats-server.js";

/** A nats-server for a whole file, and connections that last one test. */
export interface ConnectionsPerTest {
  /** The nats-server (started once `beforeAll` ran). */
  readonly server: NatsServerProcess;
  /** The connections opened in the current test. */
  readonly open: readonly NatsConnection[];
  /** Opens a connection (to `url`, default the server's) that closes after the current test. */
  connect(url?: string, options?: ConnectionOptions): Promise<NatsConnection>;
}

/**
 * Registers hooks in the calling scope: starts a nats-server before all tests,
 * closes the connections a test opened after it, stops the server after all.
 * Call it before registering hooks that close what uses the connections
 * (brokers, subscriptions): after-hooks run in reverse order, so those run first.
 */
export function connectionsPerTest(options: StartOptions = {}): ConnectionsPerTest {
  let server: NatsServerProcess | undefined;
  const open: NatsConnection[] = [];

  beforeAll(async () => {
    server = await startNatsServer(options);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((nc) => nc.close()));
  });
  afterAll(async () => {
    await server?.stop();
  });

  const started = (): NatsServerProcess => {
    if (server === undefined) throw new Error("connectionsPerTest: the nats-server is not started");
    return server;
  };
  return {
    get server() {
      return started();
    },
    open,
    async connect(url = started().url, options = {}) {
      const nc = await connect({ ...options, servers: url });
      open.push(nc);
      return nc;
    },
  };
}

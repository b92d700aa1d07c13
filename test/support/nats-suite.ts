import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll } from "vitest";
import type { NatsRuntime } from "../../runtime/nats/nats-runtime.js";
import type { Server } from "../../runtime/server/server.js";
import { type NatsFixture, natsFixture } from "../rpc/support/nats.js";
import { Scopes } from "../rpc/support/scoped.js";

export interface NatsSuiteOptions {
  /** Extra nats-server arguments, or a function making them in `beforeAll` (e.g. writing a config file). */
  args?: string[] | (() => string[]);
  /** Also open a second connection, `clientConn`, so calls cross two connections. */
  clientConnection?: boolean;
}

/** What a describe block shares: a nats-server, its connections, and what to stop after all. */
export interface NatsSuite {
  /** The nats-server and its connections (ready once `beforeAll` ran). */
  readonly nats: NatsFixture;
  /** The first connection (the serving side when there are two). */
  readonly conn: NatsConnection;
  /** The second connection; only with `clientConnection: true`. */
  readonly clientConn: NatsConnection;
  /** Runtimes in fresh namespaces, closed after all. */
  readonly scopes: Scopes;
  /** Servers to stop (without grace) after all. */
  readonly servers: Server[];
  /** One runtime per connection, all in the same new namespace (see `Scopes.scope`). */
  scope(...connections: NatsConnection[]): NatsRuntime[];
  /** Runs `task` after all, once the servers stopped and before the nats-server stops. */
  cleanup(task: () => Promise<unknown>): void;
}

/**
 * Registers `beforeAll`/`afterAll` in the calling describe block: starts a
 * nats-server and opens its connections before the tests; after them stops
 * every server in `servers`, closes the runtimes of `scopes`, runs the
 * `cleanup` tasks, then closes the connections and the nats-server (always,
 * even when a test or an earlier step failed).
 */
export function natsSuite(options: NatsSuiteOptions = {}): NatsSuite {
  let nats: NatsFixture | undefined;
  const connections: NatsConnection[] = [];
  const scopes = new Scopes();
  const servers: Server[] = [];
  const tasks: (() => Promise<unknown>)[] = [];
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`natsSuite: ${what} is not open`);
    return value;
  };

  beforeAll(async () => {
    const args = typeof options.args === "function" ? options.args() : options.args;
    nats = await natsFixture(args);
    connections.push(await nats.connect());
    if (options.clientConnection) connections.push(await nats.connect());
  });
  afterAll(async () => {
    try {
      await Promise.all(servers.map((s) => s.stop({ graceMs: 0 })));
      await scopes.close();
      for (const task of tasks) await task();
    } finally {
      await nats?.stop();
    }
  });

  return {
    get nats() {
      return ready(nats, "the nats-server");
    },
    get conn() {
      return ready(connections[0], "the connection");
    },
    get clientConn() {
      return ready(connections[1], "a client connection (clientConnection: true)");
    },
    scopes,
    servers,
    scope: (...conns) => scopes.scope(...conns),
    cleanup: (task) => {
      tasks.push(task);
    },
  };
}

import { type ConnectionOptions, connect, type NatsConnection } from "@nats-io/transport-node";
import { expect } from "vitest";
import type { Code } from "../../../runtime/errors/code.js";
import { RpcError } from "../../../runtime/errors/rpc-error.js";
import { type NatsServerProcess, startNatsServer } from "../../harness/nats-server.js";

/** A nats-server plus the connections a test opened to it, all closed by `stop()`. */
export interface NatsFixture {
  readonly server: NatsServerProcess;
  /** Opens a connection (e.g. `{ user, pass }` on a permissioned server). */
  connect(options?: Partial<ConnectionOptions>): Promise<NatsConnection>;
  stop(): Promise<void>;
}

export async function natsFixture(args: string[] = []): Promise<NatsFixture> {
  const server = await startNatsServer({ args });
  const connections: NatsConnection[] = [];
  return {
    server,
    async connect(options = {}) {
      const nc = await connect({ ...options, servers: server.url, noAsyncTraces: true });
      connections.push(nc);
      return nc;
    },
    async stop() {
      await Promise.all(connections.map((nc) => (nc.isClosed() ? undefined : nc.close())));
      await server.stop();
    },
  };
}

/** Awaits `promise` and checks it failed with an `RpcError` of `code`; returns the error. */
export async function expectCode(promise: Promise<unknown>, code: Code): Promise<RpcError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(RpcError);
    const e = error as RpcError;
    if (e.code !== code) throw new Error(`expected code ${code}, got ${e.code}: ${e.message}`);
    return e;
  }
  throw new Error(`expected the call to fail with code ${code}, but it succeeded`);
}

/** Iterates to the end, collecting the messages. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iterable) out.push(x);
  return out;
}

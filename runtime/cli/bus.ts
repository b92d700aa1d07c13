import type { NatsConnection } from "@nats-io/nats-core";
import { Code } from "../errors/code.js";
import { RpcError } from "../errors/rpc-error.js";
import { connectNats } from "../nats/connect.js";
import { type NatsRuntime, natsRuntime } from "../nats/nats-runtime.js";
import type { GlobalOptions } from "./options.js";

/** A connection and a protonats runtime on it, in the chosen namespace. */
export interface Bus {
  readonly nc: NatsConnection;
  readonly runtime: NatsRuntime;
  readonly namespace: string | undefined;
  close(): Promise<void>;
}

/**
 * Connects like services do (`NATS_URL`, `NATS_CREDS`, `NATS_USER`, ... via
 * `connectNats`), `--server` winning, but gives up at once when no server
 * answers: a tool should say so rather than wait for a reconnect.
 */
export async function openBus(options: GlobalOptions): Promise<Bus> {
  let nc: NatsConnection;
  try {
    nc = await connectNats({
      ...(options.server !== undefined && { servers: options.server }),
      name: "protonats-cli",
      maxReconnectAttempts: 0,
      timeout: options.timeout,
    });
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new RpcError(Code.Unavailable, `cannot connect to NATS: ${why}`, { cause: error });
  }
  const namespace = options.namespace || undefined;
  const runtime = natsRuntime(nc, {
    ...(namespace !== undefined && { namespace }),
    // A one-shot tool waits for every instance rather than the first quiet gap.
    registry: { timeoutMs: options.timeout, quietMs: Math.min(20, options.timeout) },
  });
  return {
    nc,
    runtime,
    namespace,
    async close() {
      await Promise.allSettled([runtime.registry.close(), runtime.broker.close()]);
      if (!nc.isClosed()) await nc.drain().catch(() => nc.close());
    },
  };
}

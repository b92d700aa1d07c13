import { type NatsConnection, nuid } from "@nats-io/transport-node";
import { type NatsRuntime, natsRuntime } from "../../../runtime/nats/nats-runtime.js";

/**
 * Runtimes under a fresh namespace, so that each test has its own registry
 * view and subjects on a shared nats-server. `close()` ends them all.
 */
export class Scopes {
  private readonly runtimes: NatsRuntime[] = [];

  /** One runtime per connection, all in the same new namespace. */
  scope(...connections: NatsConnection[]): NatsRuntime[] {
    const namespace = `t${nuid.next().slice(-10).toLowerCase()}`;
    const made = connections.map((nc) =>
      natsRuntime(nc, { namespace, registry: { heartbeatIntervalMs: 200, ttlMs: 1000 } }),
    );
    this.runtimes.push(...made);
    return made;
  }

  async close(): Promise<void> {
    await Promise.all(
      this.runtimes.map(async (r) => {
        await r.registry.close().catch(() => undefined);
        await r.transport.close().catch(() => undefined);
        await r.broker.close().catch(() => undefined);
      }),
    );
  }
}

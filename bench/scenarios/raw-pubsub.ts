import type { NatsConnection } from "@nats-io/transport-node";
import { deliveryRate } from "../lib/delivery-rate.js";
import type { WorkerProcess } from "../lib/worker-process.js";

/**
 * Messages per second delivered from a raw publisher process to a plain
 * callback subscription here: the baseline for events and server streaming.
 */
export function rawPublishSubscribe(
  nc: NatsConnection,
  publisher: WorkerProcess,
  subject: string,
  count: number,
  size: number,
): Promise<number> {
  return deliveryRate(
    async (delivered) => {
      const sub = nc.subscribe(subject, { callback: delivered });
      await nc.flush();
      return async () => sub.unsubscribe();
    },
    publisher,
    count,
    size,
  );
}

import type { RuntimeLike } from "protonats";
import { OrderPlacedEvent } from "../../generated/example/orders/v1/orders_nats.js";
import { deliveryRate } from "../lib/delivery-rate.js";
import type { WorkerProcess } from "../lib/worker-process.js";

/**
 * Typed `OrderPlaced` events per second, from `OrderPlacedEvent.publish` in a
 * publisher process to `OrderPlacedEvent.subscribe` here (decoded, with the
 * event context), core NATS delivery. Published in bursts like the raw
 * publisher, or `oneByOne` (each publish awaited before the next).
 */
export function eventDelivery(
  runtime: RuntimeLike,
  publisher: WorkerProcess,
  count: number,
  size: number,
  oneByOne = false,
): Promise<number> {
  return deliveryRate(
    async (delivered) => {
      const sub = await OrderPlacedEvent.subscribe(runtime, (event) => {
        // Touch the decoded event, as a handler would.
        if (event.order !== undefined) delivered();
      });
      return () => sub.unsubscribe();
    },
    publisher,
    count,
    size,
    { oneByOne },
  );
}

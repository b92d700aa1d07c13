import type { OrderServiceHandlers } from "../../../generated/example/orders/v1/orders_nats.js";
import { sleep as pause } from "../../rpc/support/greeter.js";

// The abortable sleep of the RPC tests, under the name these tests use.
export { pause };

/** What a test order service did: every call a handler started, by method. */
export interface OrderLedger {
  placed: string[];
  looked: string[];
}

/**
 * Order handlers that take `delayMs` per call (so calls are in flight when a
 * node dies) and say which instance served them: `PlaceOrder` answers an
 * order id `<servedBy>:<customer>`, `GetOrder` the instance in `customer`.
 */
export function orderHandlers(
  servedBy: string,
  delayMs: number,
  ledger: OrderLedger = { placed: [], looked: [] },
): OrderServiceHandlers {
  return {
    async placeOrder(req, ctx) {
      ledger.placed.push(req.customer);
      await pause(delayMs, ctx.signal);
      return { order: { id: `${servedBy}:${req.customer}`, customer: req.customer } };
    },
    async getOrder(req, ctx) {
      ledger.looked.push(req.id);
      await pause(delayMs, ctx.signal);
      return { id: req.id, customer: servedBy };
    },
  };
}

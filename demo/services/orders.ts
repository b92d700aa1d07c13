import { create } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import {
  OrderPlacedEvent,
  type OrderServiceHandlers,
} from "../../generated/example/orders/v1/orders_nats.js";
import { type Order, OrderSchema } from "../../generated/example/orders/v1/orders_pb.js";
import { Code, RpcError, type RuntimeLike } from "../../runtime/index.js";

/** The example order service: keeps orders in memory and publishes `OrderPlaced`. */
export function orderService(runtime: RuntimeLike): OrderServiceHandlers {
  const orders = new Map<string, Order>();
  let next = 1;
  return {
    async placeOrder(request) {
      if (request.items.length === 0) {
        throw new RpcError(Code.InvalidArgument, "an order needs at least one item");
      }
      const order = create(OrderSchema, {
        id: `order-${next++}`,
        customer: request.customer,
        region: request.region,
        items: request.items,
        totalCents: request.items.reduce(
          (sum, item) => sum + item.unitPriceCents * BigInt(item.quantity),
          0n,
        ),
        placedAt: timestampNow(),
      });
      orders.set(order.id, order);
      await OrderPlacedEvent.publish(runtime, { order, region: order.region });
      return { order };
    },
    async getOrder(request) {
      const order = orders.get(request.id);
      if (!order) throw new RpcError(Code.NotFound, `no order ${request.id}`);
      return order;
    },
  };
}

/**
 * Compile-time checks (run by typecheck.test.ts through tsc): the named
 * interfaces the generator writes are the same types as the runtime's mapped
 * `Client<S>` / `ServiceHandlers<S>`, and hostile names do not leak through.
 */
import type { Client, ServiceHandlers } from "protonats/protocol";
import type { BillingClient, BillingHandlers } from "../golden/cross/v1/cross_nats.js";
import type { Billing } from "../golden/cross/v1/cross_pb.js";
import type { ClientClient, ClientHandlers } from "../golden/hostile/v1/hostile_nats.js";
import type { Client as ClientService } from "../golden/hostile/v1/hostile_pb.js";
import type { ShapesClient, ShapesHandlers } from "../golden/shapes/v1/shapes_nats.js";
import type { Shapes } from "../golden/shapes/v1/shapes_pb.js";

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

export const shapesClient: Same<ShapesClient, Client<typeof Shapes>> = true;
export const shapesHandlers: Same<ShapesHandlers, ServiceHandlers<typeof Shapes>> = true;
export const billingClient: Same<BillingClient, Client<typeof Billing>> = true;
export const billingHandlers: Same<BillingHandlers, ServiceHandlers<typeof Billing>> = true;
export const hostileClient: Same<ClientClient, Client<typeof ClientService>> = true;
export const hostileHandlers: Same<ClientHandlers, ServiceHandlers<typeof ClientService>> = true;

// `then` would make a client thenable, `__proto__` would replace its prototype.
type Absent<K extends string, T> = K extends keyof T ? false : true;
export const noThen: Absent<"then", ClientClient> = true;
export const noThenHandler: Absent<"then", ClientHandlers> = true;
export const noProto: Absent<"__proto__", ClientClient> = true;
export const escapedThen: Same<"then$" extends keyof ClientClient ? true : false, true> = true;

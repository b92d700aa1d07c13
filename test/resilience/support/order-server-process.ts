// An order service in its own Node process, so that a test can kill -9 it
// like a crashed instance. Usage:
//   node --import tsx order-server-process.ts <natsUrl> <namespace> <nodeId> <delayMs>
import { connect } from "@nats-io/transport-node";
import { defineOrderService } from "../../../generated/example/orders/v1/orders_nats.js";
import { natsRuntime } from "../../../runtime/nats/nats-runtime.js";
import { serve } from "../../../runtime/server/serve.js";
import { orderHandlers } from "./orders.js";
import { fastRegistry } from "./registry-settings.js";

const [url, namespace, id, delay] = process.argv.slice(2);
if (!url || !namespace || !id) {
  throw new Error("usage: order-server-process.ts <natsUrl> <namespace> <nodeId> <delayMs>");
}
const nc = await connect({ servers: url, noAsyncTraces: true });
const runtime = natsRuntime(nc, { namespace, registry: fastRegistry });
await serve(runtime, [defineOrderService(orderHandlers(id, Number(delay ?? 0)))], { id });
process.stdout.write("ready\n");

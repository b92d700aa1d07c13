// Publishes `OrderPlaced` events (the generated typed event) as fast as the
// connection takes them, on request: the protonats counterpart of
// raw-publisher.ts. The order's `customer` field carries the payload size.
import { connect } from "@nats-io/transport-node";
import { natsRuntime } from "protonats";
import { OrderPlacedEvent } from "../../generated/example/orders/v1/orders_nats.js";
import { ready, serveCommands } from "../lib/peer.js";

const [url] = process.argv.slice(2) as [string];
const nc = await connect({ servers: url, noAsyncTraces: true });
const runtime = natsRuntime(nc);
serveCommands({
  async publish(command) {
    const { count, size, oneByOne } = command as unknown as {
      count: number;
      size: number;
      oneByOne?: boolean;
    };
    const event = { region: "eu", order: { id: "1", customer: "x".repeat(size), region: "eu" } };
    if (oneByOne) {
      // How most code publishes: awaiting each event before the next.
      for (let i = 0; i < count; i++) {
        await OrderPlacedEvent.publish(runtime, event);
        if ((i & 1023) === 1023) await nc.flush();
      }
    } else {
      // The raw publisher's pacing: a burst of 1024, then a flush. A core
      // publish hands the event to the connection before its promise settles,
      // so the burst leaves in few socket writes.
      let burst: Promise<void>[] = [];
      for (let i = 0; i < count; i++) {
        burst.push(OrderPlacedEvent.publish(runtime, event));
        if ((i & 1023) === 1023) {
          await Promise.all(burst);
          burst = [];
          await nc.flush();
        }
      }
      await Promise.all(burst);
    }
    await nc.flush();
    return { published: count };
  },
});
ready();
process.on("SIGTERM", () => {
  void nc.close().then(() => process.exit(0));
});

// Publishes a burst of messages as fast as NATS accepts them, on request from
// the orchestrator, which subscribes and measures delivery.
import { connect } from "@nats-io/transport-node";
import { ready, serveCommands } from "../lib/peer.js";

const [url, subject] = process.argv.slice(2) as [string, string];
const nc = await connect({ servers: url, noAsyncTraces: true });
serveCommands({
  async publish(command) {
    const { count, size } = command as unknown as { count: number; size: number };
    const payload = new Uint8Array(size);
    for (let i = 0; i < count; i++) {
      nc.publish(subject, payload);
      // Yield now and then so the socket drains instead of buffering everything.
      if ((i & 1023) === 1023) await nc.flush();
    }
    await nc.flush();
    return { published: count };
  },
});
ready();
process.on("SIGTERM", () => {
  void nc.close().then(() => process.exit(0));
});

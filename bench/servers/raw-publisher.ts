// Publishes a burst of messages as fast as NATS accepts them, on request from
// the orchestrator, which subscribes and measures delivery.
import { createInterface } from "node:readline";
import { connect } from "@nats-io/transport-node";

const [url, subject] = process.argv.slice(2) as [string, string];
const nc = await connect({ servers: url, noAsyncTraces: true });
console.log(JSON.stringify({ ready: true }));
createInterface({ input: process.stdin }).on("line", async (line) => {
  const { count, size } = JSON.parse(line) as { count: number; size: number };
  const payload = new Uint8Array(size);
  for (let i = 0; i < count; i++) {
    nc.publish(subject, payload);
    // Yield now and then so the socket drains instead of buffering everything.
    if ((i & 1023) === 1023) await nc.flush();
  }
  await nc.flush();
  console.log(JSON.stringify({ published: count }));
});
process.on("SIGTERM", () => {
  void nc.close().then(() => process.exit(0));
});

// Typed events from a publisher process (event-publisher.ts) to a subscriber
// here, repeatedly, to profile both sides:
//   BENCH_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof/pub" node --cpu-prof \
//     --cpu-prof-dir=/tmp/prof/sub --import tsx bench/tools/event-load.ts <url> [rounds] [count] [oneByOne]
import { fileURLToPath } from "node:url";
import { connect } from "@nats-io/transport-node";
import { startWorker } from "../lib/worker-process.js";
import { eventDelivery } from "../scenarios/event-delivery.js";

const [url, rounds = "5", count = "50000", oneByOne = ""] = process.argv.slice(2) as [
  string,
  ...string[],
];
const publisher = await startWorker(
  fileURLToPath(new URL("../servers/event-publisher.ts", import.meta.url)),
  [url],
);
const nc = await connect({ servers: url, noAsyncTraces: true });
for (let i = 0; i < Number(rounds); i++) {
  const usage = process.cpuUsage();
  const rate = await eventDelivery(nc, publisher, Number(count), 100, oneByOne === "1");
  const cpu = process.cpuUsage(usage);
  const perEvent = (cpu.user + cpu.system) / Number(count);
  console.log(Math.round(rate), "events/s,", perEvent.toFixed(1), "µs CPU per event here");
}
await nc.close();
await publisher.stop();

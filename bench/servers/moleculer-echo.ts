// Moleculer 0.14 echo peer over NATS (the `nats` v2 client its transporter
// requires), JSON serializer: what a Node team would pick instead of protonats.
import { ServiceBroker } from "moleculer";
import { ready, serveCommands } from "../lib/peer.js";

const [url] = process.argv.slice(2) as [string];
const broker = new ServiceBroker({
  nodeID: `echo-${process.pid}`,
  transporter: { type: "NATS", options: { url } },
  serializer: "JSON",
  logger: false,
});
broker.createService({
  name: "echo",
  actions: {
    echo: (ctx: { params: { data: string } }) => ctx.params,
  },
});
await broker.start();
serveCommands();
ready();
process.on("SIGTERM", () => {
  void broker.stop().then(() => process.exit(0));
});

// Raw NATS echo peer: one callback subscription that answers every request
// with its own payload. The ceiling any RPC layer on NATS is measured against.
import { connect } from "@nats-io/transport-node";
import { ready, serveCommands } from "../lib/peer.js";

const [url, subject] = process.argv.slice(2) as [string, string];
const nc = await connect({ servers: url, noAsyncTraces: true });
nc.subscribe(subject, {
  callback: (_err, msg) => {
    msg.respond(msg.data);
  },
});
await nc.flush();
serveCommands();
ready();
process.on("SIGTERM", () => {
  void nc.drain().then(() => process.exit(0));
});

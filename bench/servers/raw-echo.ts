// Raw NATS echo peer: one callback subscription that answers every request
// with its own payload. The ceiling any RPC layer on NATS is measured against.
import { connect } from "@nats-io/transport-node";

const [url, subject] = process.argv.slice(2) as [string, string];
const nc = await connect({ servers: url, noAsyncTraces: true });
nc.subscribe(subject, {
  callback: (_err, msg) => {
    msg.respond(msg.data);
  },
});
await nc.flush();
console.log(JSON.stringify({ ready: true }));
process.on("SIGTERM", () => {
  void nc.drain().then(() => process.exit(0));
});

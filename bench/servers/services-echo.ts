// `@nats-io/services` echo peer: a micro service endpoint answering with the
// request payload, called with plain nats.js `request()`.
import { Svcm } from "@nats-io/services";
import { connect } from "@nats-io/transport-node";
import { ready, serveCommands } from "../lib/peer.js";

const [url, subject] = process.argv.slice(2) as [string, string];
const nc = await connect({ servers: url, noAsyncTraces: true });
const service = await new Svcm(
  // @nats-io/services pins its own nats-core; the connection is the same at runtime.
  nc as unknown as ConstructorParameters<typeof Svcm>[0],
).add({ name: "bench-echo", version: "1.0.0" });
service.addEndpoint("echo", {
  subject,
  handler: (_err, msg) => {
    msg.respond(msg.data);
  },
});
await nc.flush();
serveCommands();
ready();
process.on("SIGTERM", () => {
  void service
    .stop()
    .then(() => nc.drain())
    .then(() => process.exit(0));
});

// A greeter served from a separate Node process, for tests that need a real
// second process (typed calls across processes, a peer killed mid-stream).
// Usage: node --import tsx child-server.ts <natsUrl> <namespace>
import { connect } from "@nats-io/transport-node";
import { defineGreeter } from "../../../generated/example/greeter/v1/greeter_nats.js";
import { natsRuntime } from "../../../runtime/nats/nats-runtime.js";
import { serve } from "../../../runtime/server/serve.js";
import { greeterHandlers } from "./greeter.js";

const [url, namespace] = process.argv.slice(2);
if (!url || !namespace) throw new Error("usage: child-server.ts <natsUrl> <namespace>");
const nc = await connect({ servers: url, noAsyncTraces: true });
const runtime = natsRuntime(nc, { namespace });
const server = await serve(runtime, [defineGreeter(greeterHandlers(`child-${process.pid}`))]);
process.stdout.write(`ready ${server.address}\n`);
process.on("SIGTERM", async () => {
  await server.stop({ graceMs: 1_000 });
  await nc.close();
  process.exit(0);
});

// A greeter process that stops the way the README says: stopOnSignals.
// Usage: node --import tsx signal-server.ts <natsUrl> <namespace>
import { connect } from "@nats-io/transport-node";
import { defineGreeter } from "../../../generated/example/greeter/v1/greeter_nats.js";
import { stopOnSignals } from "../../../runtime/lifecycle/stop-on-signals.js";
import { natsRuntime } from "../../../runtime/nats/nats-runtime.js";
import { serve } from "../../../runtime/server/serve.js";
import { greeterHandlers } from "./greeter.js";

const [url, namespace] = process.argv.slice(2);
if (!url || !namespace) throw new Error("usage: signal-server.ts <natsUrl> <namespace>");
const nc = await connect({ servers: url, noAsyncTraces: true });
const runtime = natsRuntime(nc, { namespace });
const server = await serve(runtime, [defineGreeter(greeterHandlers("signal"))]);
stopOnSignals(server, runtime, nc);
process.stdout.write(`ready ${server.address}\n`);

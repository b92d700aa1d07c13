// A client that only makes one kind of call against a server in another
// process (greeter-server.ts, or raw-echo.ts on `bench.raw.echo` for `raw`),
// to profile one side at a time, e.g.:
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/tools/load.ts \
//     <url> <unary|raw|stream|chat> [ms] [bytes] [inFlight]
import { connect } from "@nats-io/transport-node";
import { createGreeterClient } from "../../generated/example/greeter/v1/greeter_nats.js";
import { closedLoop } from "../lib/closed-loop.js";
import { bidiEcho } from "../scenarios/bidi-echo.js";
import { rawPipe } from "../scenarios/raw-pipe.js";
import { serverStreaming } from "../scenarios/server-streaming.js";

const [url, mode = "unary", ms = "5000", bytes = "100", inFlight = "64"] = process.argv.slice(
  2,
) as [string, ...string[]];
const nc = await connect({ servers: url, noAsyncTraces: true });
const client = createGreeterClient(nc);
const size = Number(bytes);
let call: () => Promise<unknown>;
let concurrency = Number(inFlight);
if (mode === "raw") {
  const pipe = rawPipe(nc, "bench.raw.echo");
  const payload = new Uint8Array(size);
  call = () => pipe.call(payload);
} else if (mode === "stream") {
  call = () => serverStreaming(client, 10_000, size);
  concurrency = 1;
} else if (mode === "chat") {
  call = () => bidiEcho(client, 10_000, size);
  concurrency = 1;
} else {
  const request = { name: "x".repeat(size) };
  call = () => client.sayHello(request);
}
const usage = process.cpuUsage();
const r = await closedLoop(call, concurrency, Number(ms));
const cpu = process.cpuUsage(usage);
const stats = nc.stats();
console.log(
  JSON.stringify({
    mode,
    ...r,
    cpuUsPerOp: (cpu.user + cpu.system) / r.calls,
    outMsgs: stats.outMsgs,
    inMsgs: stats.inMsgs,
  }),
);
await nc.close();

// Heap growth per call over many calls: a greeter served and called in this
// process over a real nats-server, the heap measured after full collections
// before and after `calls` unary calls (64 in flight). Run with --expose-gc:
//   node --expose-gc --import tsx bench/tools/heap-per-call.ts <url> [calls]
import { connect } from "@nats-io/transport-node";
import { serve } from "protonats";
import {
  createGreeterClient,
  defineGreeter,
} from "../../generated/example/greeter/v1/greeter_nats.js";
import { closedLoop } from "../lib/closed-loop.js";
import { settledHeap } from "../lib/peer.js";

const [url, callsArg = "400000"] = process.argv.slice(2) as [string, string?];
const calls = Number(callsArg);
if ((globalThis as { gc?: () => void }).gc === undefined) {
  throw new Error("run with node --expose-gc");
}

const nc = await connect({ servers: url, noAsyncTraces: true });
const server = await serve(nc, [
  defineGreeter({
    sayHello: (req) => ({ message: `Hello, ${req.name}` }),
    async *sayHelloStream(req) {
      for (let i = 0; i < req.count; i++) yield { message: "x" };
    },
    async sayHelloToAll() {
      return { message: "" };
    },
    async *chat(requests) {
      for await (const r of requests) yield { message: r.name };
    },
  }),
]);
const client = createGreeterClient(nc);
const request = { name: "x".repeat(100) };
const unary = () => client.sayHello(request);
// Warm-up: caches, JIT, pools reach their steady size.
await closedLoop(unary, 64, 2_000);
const before = settledHeap();
let done = 0;
while (done < calls) {
  const r = await closedLoop(unary, 64, 1_000);
  done += r.calls;
}
const after = settledHeap();
console.log(
  JSON.stringify({
    calls: done,
    heapBefore: before,
    heapAfter: after,
    bytesPerCall: (after - before) / done,
  }),
);
await server.stop();
await nc.close();

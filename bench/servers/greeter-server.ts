// The protonats peer of the RPC benchmarks: the example Greeter, with handlers
// that echo (the protonats counterpart of raw-echo.ts). Arguments: NATS url,
// then optionally `instances=<n>` (n servers, each on its own connection, as
// n processes would be) and `namespace=<ns>`.
import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  defineGreeter,
  type GreeterHandlers,
} from "../../generated/example/greeter/v1/greeter_nats.js";
import { natsRuntime, type Server, serve } from "../../runtime/index.js";
import { ready, serveCommands } from "../lib/peer.js";

const [url, ...rest] = process.argv.slice(2) as [string, ...string[]];
const option = (name: string) => rest.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
const instances = Number(option("instances") ?? 1);
const namespace = option("namespace");

/** Bidi streams whose handler is running: how the memory benchmark knows its streams are open. */
let openChats = 0;

const greeter: GreeterHandlers = {
  sayHello(request) {
    return { message: request.name };
  },
  async *sayHelloStream(request) {
    for (let i = 0; i < request.count; i++) yield { message: request.name };
  },
  async sayHelloToAll(requests) {
    let count = 0;
    for await (const _ of requests) count++;
    return { message: String(count) };
  },
  async *chat(requests) {
    openChats++;
    try {
      for await (const request of requests) yield { message: request.name };
    } finally {
      openChats--;
    }
  },
};

const connections: NatsConnection[] = [];
const servers: Server[] = [];
for (let i = 0; i < instances; i++) {
  const nc = await connect({ servers: url, noAsyncTraces: true });
  connections.push(nc);
  const runtime = namespace === undefined ? nc : natsRuntime(nc, { namespace });
  // The idle-stream scenario holds 10k streams from one client connection on
  // purpose, beyond the default per-client bound (1,000) that protects servers.
  const limits = { maxStreams: 20_000, maxStreamsPerClient: 20_000 };
  servers.push(await serve(runtime, [defineGreeter(greeter)], { limits }));
}
serveCommands({ chats: () => ({ open: openChats }) });
ready({ ids: servers.map((s) => s.id) });

process.on("SIGTERM", () => {
  void (async () => {
    await Promise.all(servers.map((s) => s.stop({ graceMs: 0 })));
    await Promise.all(connections.map((nc) => nc.close()));
    process.exit(0);
  })();
});

// Many instances of one service announced by one process through the registry
// API (one `NatsRegistry`, `count` nodes of the Greeter service, each with the
// record `serve()` would register: endpoints and file descriptors), for the
// registry-at-scale scenario. Arguments: NATS url, namespace, count, process tag.
// Commands: `cached` (a lookup peer: heap per cached node, see registry-scale.ts).
import { connect } from "@nats-io/transport-node";
import { NatsRegistry } from "protonats/protocol";
import { Greeter } from "../../generated/example/greeter/v1/greeter_pb.js";
import { serviceInfo } from "../../runtime/server/service-info.js";
import { greeterNodes } from "../lib/lookup-figures.js";
import { ready, serveCommands, settledHeap } from "../lib/peer.js";

const [url, namespace, countArg, tag] = process.argv.slice(2) as [string, string, string, string];
const count = Number(countArg);
const nc = await connect({ servers: url, noAsyncTraces: true });
const registry = new NatsRegistry(nc, { namespace });
for (let i = 0; i < count; i++) {
  const id = `${tag}n${i}`;
  await registry.register(
    serviceInfo(
      Greeter,
      {},
      { id, address: `${namespace}.pn.svc.${Greeter.typeName}.${id}`, metadata: {} },
    ),
  );
}
await nc.flush();

serveCommands({
  /**
   * Heap of the nodes a fresh registry caches after one lookup of the
   * service (this process's own registrations are not in its cache), per node.
   */
  async cached() {
    const before = settledHeap();
    const lookup = new NatsRegistry(nc, { namespace });
    const nodes = await greeterNodes(lookup);
    const after = settledHeap();
    await lookup.close();
    return { nodes, bytes: after - before };
  },
});
ready();
process.on("SIGTERM", () => {
  void registry.close().then(() => nc.close().then(() => process.exit(0)));
});

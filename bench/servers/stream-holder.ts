// Client peer of the idle-stream memory benchmark: opens many `chat` (bidi)
// streams that send nothing, and holds them open until told to close them.
// Run with --expose-gc so heap figures are taken after a full collection.
import { connect } from "@nats-io/transport-node";
import { createGreeterClient } from "../../generated/example/greeter/v1/greeter_nats.js";
import { ready, serveCommands } from "../lib/peer.js";

const [url] = process.argv.slice(2) as [string];
const nc = await connect({ servers: url, noAsyncTraces: true });
const client = createGreeterClient(nc);

type Request = { name: string };
let release!: (r: IteratorResult<Request>) => void;
let gate = new Promise<IteratorResult<Request>>((resolve) => {
  release = resolve;
});
/** Request messages that do not come until `close`: one shared promise, no per-stream state. */
const silentIterator: AsyncIterator<Request> = { next: () => gate };
const silent: AsyncIterable<Request> = { [Symbol.asyncIterator]: () => silentIterator };

let held: AsyncIterable<unknown>[] = [];
const drained: Promise<void>[] = [];

// Warm-up: code loaded, service looked up, one stream opened and closed.
for await (const _ of client.chat(
  (async function* () {
    yield { name: "warm-up" };
  })(),
))
  break;

serveCommands({
  open(command) {
    const count = command.count as number;
    for (let i = 0; i < count; i++) held.push(client.chat(silent));
    return { opened: count };
  },
  async close() {
    release({ value: undefined, done: true });
    // Reading each stream to its end lets it finish cleanly on both sides.
    for (const stream of held) {
      drained.push(
        (async () => {
          for await (const _ of stream);
        })(),
      );
    }
    await Promise.all(drained.splice(0));
    held = [];
    gate = new Promise((resolve) => {
      release = resolve;
    });
    return { closed: true };
  },
});
ready();
process.on("SIGTERM", () => {
  void nc.close().then(() => process.exit(0));
});

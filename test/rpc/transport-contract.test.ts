import { MemoryNetwork, MemoryTransport } from "../../runtime/memory/memory-transport.js";
import { NatsTransport } from "../../runtime/nats/transport/nats-transport.js";
import { natsFixture } from "./support/nats.js";
import { transportContract } from "./transport-contract.js";

transportContract("NatsTransport", async () => {
  const nats = await natsFixture();
  const server = new NatsTransport(await nats.connect());
  const client = new NatsTransport(await nats.connect());
  const stranger = await nats.connect();
  return {
    server,
    client,
    raw(subject, reply, payload) {
      stranger.publish(subject, payload, reply === undefined ? undefined : { reply });
    },
    async close() {
      await stranger.close();
      await client.close();
      await server.close();
      await nats.stop();
    },
  };
});

transportContract("MemoryTransport", async () => {
  const network = new MemoryNetwork();
  const server = new MemoryTransport({ network });
  const client = new MemoryTransport({ network });
  return {
    server,
    client,
    raw(subject, reply, data) {
      network.post({ subject, reply, data, headerLength: 0 });
    },
    async close() {
      await client.close();
      await server.close();
    },
  };
});

import { MemoryNetwork, MemoryTransport } from "../../runtime/memory/memory-transport.js";
import { NatsTransport } from "../../runtime/nats/transport/nats-transport.js";
import { natsFixture } from "./support/nats.js";
import { transportContract } from "./transport-contract.js";

transportContract("NatsTransport", async () => {
  const nats = await natsFixture();
  const server = new NatsTransport(await nats.connect());
  const client = new NatsTransport(await nats.connect());
  return {
    server,
    client,
    async close() {
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
    async close() {
      await client.close();
      await server.close();
    },
  };
});

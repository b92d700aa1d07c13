import { setNatsInternals } from "../../runtime/nats/nats-internals.js";
import { NatsTransport } from "../../runtime/nats/transport/nats-transport.js";
import { natsFixture } from "../rpc/support/nats.js";
import { transportContract } from "../rpc/transport-contract.js";

// The whole transport contract with every nats.js internal forced off: the
// public-API fallbacks alone must keep it (each test file runs in its own
// module scope, so the switch stays off here only).
setNatsInternals(false);

transportContract("NatsTransport, nats internals off", async () => {
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

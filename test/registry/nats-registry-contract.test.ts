import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll } from "vitest";
import { NatsRegistry } from "../../runtime/nats/registry/nats-registry.js";
import { type NatsServerProcess, startNatsServer } from "../harness/nats-server.js";
import { registryContract } from "./registry-contract.js";

let server: NatsServerProcess;
beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => {
  await server?.stop();
});

// Home and peer on separate connections, as a server and a client in two processes.
registryContract("NatsRegistry", async () => {
  const homeNc = await connect({ servers: server.url });
  const peerNc = await connect({ servers: server.url });
  const home = new NatsRegistry(homeNc);
  const peer = new NatsRegistry(peerNc);
  return {
    home,
    peer,
    settle: async () => {
      await peerNc.flush();
      await homeNc.flush();
    },
    dispose: async () => {
      await Promise.all([home.close(), peer.close()]);
      await Promise.all([homeNc.close(), peerNc.close()]);
    },
  };
});

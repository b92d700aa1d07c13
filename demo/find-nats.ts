import { connect, type NatsConnection } from "@nats-io/transport-node";
import { connectNats } from "../runtime/nats/connect.js";
import { type NatsServerProcess, startNatsServer } from "../test/harness/nats-server.js";

/** Where the demo's NATS is, and how to connect more clients to it. */
export interface DemoNats {
  readonly servers: string;
  readonly how: string;
  connect(name: string): Promise<NatsConnection>;
  close(): Promise<void>;
}

/**
 * `NATS_URL` if set, else a server on 127.0.0.1:4222, else a nats-server
 * started here for the demo.
 */
export async function findNats(): Promise<DemoNats> {
  let started: NatsServerProcess | undefined;
  let servers = process.env.NATS_URL;
  let how = "from NATS_URL";
  if (!servers) {
    if (await reachable("127.0.0.1:4222")) {
      servers = "127.0.0.1:4222";
      how = "local server on 127.0.0.1:4222";
    } else {
      started = await startNatsServer({ jetstream: true });
      servers = started.url;
      how = `nats-server started for the demo (pid ${started.pid})`;
    }
  }
  const url = servers;
  return {
    servers: url,
    how,
    connect: (name) => connectNats({ servers: url, name }),
    close: async () => {
      await started?.stop();
    },
  };
}

async function reachable(server: string): Promise<boolean> {
  try {
    const nc = await connect({ servers: server, reconnect: false, timeout: 1000 });
    await nc.close();
    return true;
  } catch {
    return false;
  }
}

import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NatsBroker } from "../../runtime/nats/broker/nats-broker.js";
import { type NatsServerProcess, startNatsCluster } from "../harness/nats-server.js";
import { bytes, sleep, text, waitFor } from "./support.js";

let nodes: NatsServerProcess[] = [];
const connections: NatsConnection[] = [];

beforeAll(async () => {
  nodes = await startNatsCluster(3, { jetstream: true });
});
afterAll(async () => {
  await Promise.all(connections.map((nc) => nc.close()));
  await Promise.all(nodes.map((n) => n.stop()));
});

async function brokerOn(node: NatsServerProcess): Promise<NatsBroker> {
  const nc = await connect({ servers: node.url });
  connections.push(nc);
  return new NatsBroker(nc, {});
}

describe("NatsBroker on a 3-node JetStream cluster", () => {
  it("shares core and durable events across nodes: queue members on different nodes, each event once", async () => {
    const [a, b, c] = nodes as [NatsServerProcess, NatsServerProcess, NatsServerProcess];
    const pub = await brokerOn(a);
    const members = [await brokerOn(a), await brokerOn(b), await brokerOn(c)];
    const core = new Map<string, number>();
    const stored = new Map<string, number>();
    const count = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
    for (const member of members) {
      await member.subscribe("cl.core", (m) => void count(core, text(m.body)), { queue: "w" });
    }
    // The JetStream meta leader may still be electing: the first durable operations retry.
    for (const member of members) {
      for (let attempt = 0; ; attempt++) {
        try {
          await member.subscribe("cl.durable", (m) => void count(stored, text(m.body)), {
            queue: "w",
            durable: { stream: "CLUSTER" },
          });
          break;
        } catch (error) {
          if (attempt > 40) throw error;
          await sleep(250);
        }
      }
    }
    for (let i = 0; i < 60; i++) {
      await pub.publish("cl.core", bytes(`c${i}`));
      await pub.publish("cl.durable", bytes(`d${i}`), { durable: true, stream: "CLUSTER" });
    }
    await waitFor(() => core.size === 60 && stored.size === 60, "all events", 15_000);
    await sleep(200);
    expect([...core.values(), ...stored.values()].every((n) => n === 1)).toBe(true);
  });
});

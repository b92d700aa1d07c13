import { afterEach, describe, expect, it } from "vitest";
import type { Broker } from "../../runtime/broker/broker.js";
import { Code } from "../../runtime/errors/code.js";
import { MemoryBroker } from "../../runtime/memory/memory-broker.js";
import { NatsBroker } from "../../runtime/nats/broker/nats-broker.js";
import { connectionsPerTest } from "../support/connections-per-test.js";
import { brokerContract } from "./broker-contract.js";
import { bytes, sleep, text, waitFor } from "./support.js";

const nats = connectionsPerTest();
const brokers: Broker[] = [];

afterEach(async () => {
  await Promise.all(brokers.splice(0).map((b) => b.close()));
});

async function natsBroker(options: ConstructorParameters<typeof NatsBroker>[1] = {}) {
  const nc = await nats.connect();
  const broker = new NatsBroker(nc, options);
  brokers.push(broker);
  return broker;
}

brokerContract("NatsBroker", () => ({
  publisher: () => natsBroker(),
  subscriber: (options) => natsBroker(options?.logger ? { logger: options.logger } : {}),
  // A round trip on every connection: whatever was published before has been routed.
  settle: async () => {
    await Promise.all(nats.open.map((nc) => nc.flush()));
  },
}));

brokerContract("MemoryBroker", () => {
  // One shared in-process broker per test; subscribers with their own logger get a view on it.
  const shared = new MemoryBroker();
  brokers.push(shared);
  return {
    publisher: async () => shared,
    subscriber: async (options) => {
      if (!options?.logger) return shared;
      const own = new MemoryBroker({ logger: options.logger });
      brokers.push(own);
      // Relay: the subscriber's broker sees what is published on the shared one.
      await shared.subscribe(">", (m) => own.publish(m.subject, m.body, { headers: m.headers }));
      return own;
    },
    settle: () => sleep(5),
  };
});

describe("NatsBroker namespaces", () => {
  it("prefixes every subject with the namespace and hides it from handlers", async () => {
    const staging = await natsBroker({ namespace: "staging" });
    const prod = await natsBroker({ namespace: "prod" });
    const raw = await nats.connect();
    const rawSubjects: string[] = [];
    raw.subscribe("*.ns.>", {
      callback: (_e, m) => {
        rawSubjects.push(m.subject);
      },
    });
    await raw.flush();
    const stagingGot: string[] = [];
    const prodGot: string[] = [];
    await staging.subscribe("ns.>", (m) => {
      stagingGot.push(`${m.subject}=${text(m.body)}`);
    });
    await prod.subscribe("ns.>", (m) => {
      prodGot.push(m.subject);
    });
    await staging.publish("ns.hello", bytes("s"));
    await waitFor(() => stagingGot.length === 1 && rawSubjects.length === 1, "staging delivery");
    await Promise.all(nats.open.map((nc) => nc.flush()));
    expect(stagingGot).toEqual(["ns.hello=s"]);
    expect(prodGot).toEqual([]);
    expect(rawSubjects).toEqual(["staging.ns.hello"]);
  });
});

describe("NatsBroker on a closed connection", () => {
  it("fails publish and subscribe with Unavailable", async () => {
    const broker = await natsBroker();
    await broker.nc.close();
    await expect(broker.publish("closed.x", bytes("x"))).rejects.toMatchObject({
      code: Code.Unavailable,
    });
    await expect(broker.subscribe("closed.x", () => {})).rejects.toMatchObject({
      code: Code.Unavailable,
    });
  });
});

import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NatsBroker } from "../../runtime/nats/broker/nats-broker.js";
import { type Supercluster, startSupercluster, waitUntil } from "../harness/nats-topology.js";

/*
 * JetStream in a supercluster is one domain: every server of every cluster
 * is in one meta group, a stream lives in the cluster where it was created,
 * and its consumers can be used from any cluster (the JetStream API crosses
 * the gateways).
 */
describe("durable events in a supercluster", () => {
  let sc: Supercluster;
  const connections: NatsConnection[] = [];
  const brokers: NatsBroker[] = [];

  beforeAll(async () => {
    sc = await startSupercluster([{ name: "east" }, { name: "west" }], { jetstream: true });
    const nc = await open(sc.urls("west")[0] as string);
    // The meta group elects a leader a moment after the gateways connect.
    await waitUntil(
      () =>
        jetstreamManager(nc, { timeout: 1_000 })
          .then((jsm) => jsm.getAccountInfo())
          .then(
            () => true,
            () => false,
          ),
      "JetStream meta leader",
    );
  });
  afterAll(async () => {
    await Promise.all(brokers.map((b) => b.close()));
    await Promise.all(connections.map((nc) => (nc.isClosed() ? undefined : nc.close())));
    await sc?.stop();
  });

  async function open(url: string): Promise<NatsConnection> {
    const nc = await connect({ servers: url, noAsyncTraces: true });
    connections.push(nc);
    return nc;
  }

  async function broker(url: string): Promise<NatsBroker> {
    const b = new NatsBroker(await open(url));
    brokers.push(b);
    return b;
  }

  it("the stream lives in east; a durable subscriber in west gets every event, including those published while it was away", async () => {
    const publisher = await broker(sc.urls("east")[0] as string);
    const durable = { durable: true, stream: "XORDERS", streamSubject: "xorders.>" };
    await publisher.publish("xorders.a", new TextEncoder().encode("0"), durable);
    const info = await (await jetstreamManager(connections.at(-1) as NatsConnection)).streams.info(
      "XORDERS",
    );
    expect(info.cluster?.name).toBe("east");

    const westBroker = await broker(sc.urls("west")[0] as string);
    const seen: string[] = [];
    // In nats-server 2.9 the stream's server does not learn across the gateway
    // that a subscriber's pending pull request is gone: events it hands to
    // that request wait `ackWaitMs` before redelivery. Short here, to see it.
    const options = {
      queue: "billing",
      durable: { stream: "XORDERS", streamSubject: "xorders.>", ackWaitMs: 1_500 },
    };
    const started = performance.now();
    const sub = await westBroker.subscribe(
      "xorders.>",
      (m) => {
        seen.push(new TextDecoder().decode(m.body));
      },
      options,
    );
    for (let i = 1; i < 10; i++) {
      await publisher.publish("xorders.a", new TextEncoder().encode(String(i)), durable);
    }
    await waitUntil(() => seen.length >= 10, "events across the gateway", 10_000);
    const firstTenMs = performance.now() - started;
    await sub.unsubscribe();
    // Published while the west subscriber is away: delivered when it is back.
    for (let i = 10; i < 15; i++) {
      await publisher.publish("xorders.a", new TextEncoder().encode(String(i)), durable);
    }
    // A restarted subscriber process: a new connection to west, the same durable queue.
    const backAt = performance.now();
    await (await broker(sc.urls("west")[0] as string)).subscribe(
      "xorders.>",
      (m) => {
        seen.push(new TextDecoder().decode(m.body));
      },
      options,
    );
    await waitUntil(() => seen.length >= 15, "events published while away", 10_000);
    const awayMs = performance.now() - backAt;
    expect([...seen].sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: 15 }, (_, i) => String(i)),
    );
    console.info(
      `[topology] supercluster JetStream: stream in east, consumer in west; first 10 events in ${firstTenMs.toFixed(0)} ms; events published while away delivered ${awayMs.toFixed(0)} ms after the subscriber came back`,
    );
  });
});

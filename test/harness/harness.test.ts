import { connect } from "@nats-io/transport-node";
import { afterAll, describe, expect, it } from "vitest";
import { type NatsServerProcess, startNatsCluster, startNatsServer } from "./nats-server.js";

describe("test harness", () => {
  const started: NatsServerProcess[] = [];
  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
  });

  it("starts a nats-server on a free port that a client can use", async () => {
    const server = await startNatsServer({ jetstream: true });
    started.push(server);
    expect(server.port).not.toBe(4222);
    const nc = await connect({ servers: server.url });
    const sub = nc.subscribe("harness.echo", { max: 1 });
    nc.publish("harness.echo", "hi");
    for await (const m of sub) expect(m.string()).toBe("hi");
    await nc.close();
  });

  it("starts a 3-node cluster whose nodes route messages to each other", async () => {
    const nodes = await startNatsCluster(3);
    started.push(...nodes);
    const [a, b] = nodes;
    const sub = await connect({ servers: a!.url });
    const pub = await connect({ servers: b!.url });
    const received = sub.subscribe("harness.cluster", { max: 1 });
    await sub.flush();
    // Interest reaches the other nodes over the routes a little later than the
    // subscribing node confirms it: publish until the first copy arrives.
    const publishing = setInterval(() => pub.publish("harness.cluster", "across"), 50);
    try {
      for await (const m of received) expect(m.string()).toBe("across");
    } finally {
      clearInterval(publishing);
    }
    await Promise.all([sub.close(), pub.close()]);
  });

  it("kill() makes the server unreachable and restart() brings it back on the same port", async () => {
    const server = await startNatsServer();
    started.push(server);
    await server.kill();
    await expect(connect({ servers: server.url, reconnect: false })).rejects.toThrow();
    await server.restart();
    const nc = await connect({ servers: server.url });
    await nc.close();
  });
});

import { createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { greeter } from "../../demo/services/greeter.js";
import { defineGreeter } from "../../generated/example/greeter/v1/greeter_nats.js";
import { Code } from "../../runtime/errors/code.js";
import { descriptorSubject } from "../../runtime/nats/micro/descriptor-responder.js";
import { natsRuntime } from "../../runtime/nats/nats-runtime.js";
import { serve } from "../../runtime/server/serve.js";
import { serviceAddress } from "../../runtime/transport/subjects.js";
import { runCli, spawnCli, waitForText } from "./cli-runner.js";
import { demoBus, fastRegistry } from "./demo-bus.js";

const bus = demoBus();

const lines = (text: string) =>
  text
    .trim()
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l));

/** Starts a `subscribe` and resolves once it listens; `done` is the finished run (wrapped: an async function would wait for it). */
async function listening(args: string[], signal?: AbortSignal) {
  const ready = waitForText((err) => /listening|replaying/.test(err));
  const done = runCli([...bus.args, "--json", "subscribe", ...args], {
    onStderr: ready.feed,
    ...(signal && { signal }),
  });
  await Promise.race([ready.seen, done]);
  return { done };
}

/** Polls `condition` every 20 ms for up to 5 s. */
async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 5000) throw new Error("condition not met within 5 s");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("protonats publish and subscribe", () => {
  it("publishes a typed event from JSON and a subscriber filtered by a token prints it decoded", async () => {
    const sub = await listening(["OrderPlaced", "--token", "region=eu", "--count", "1"]);
    const us = await runCli([
      ...bus.args,
      "publish",
      "OrderPlaced",
      '{"region":"us","order":{"id":"o-us"}}',
    ]);
    expect(us).toMatchObject({
      status: 0,
      out: "published example.orders.v1.OrderPlaced on orders.us.placed\n",
    });
    const eu = await runCli([
      ...bus.args,
      "--json",
      "publish",
      "OrderPlaced",
      '{"region":"eu","order":{"id":"o-eu","totalCents":"3998"}}',
    ]);
    expect(JSON.parse(eu.out)).toMatchObject({ subject: "orders.eu.placed", durable: false });
    const { status, out } = await sub.done;
    expect(status).toBe(0);
    expect(lines(out)).toEqual([
      {
        subject: "orders.eu.placed",
        type: "example.orders.v1.OrderPlaced",
        event: { region: "eu", order: { id: "o-eu", totalCents: "3998" } },
      },
    ]);
  });

  it("shares events within a --queue group", async () => {
    const stop = new AbortController();
    const members = await Promise.all([
      listening(["OrderPlaced", "--queue", "auditors"], stop.signal),
      listening(["OrderPlaced", "--queue", "auditors"], stop.signal),
    ]);
    const outputs = members.map((m) => m.done.then((run) => lines(run.out)));
    for (const id of ["q-1", "q-2", "q-3", "q-4"]) {
      await runCli([
        ...bus.args,
        "publish",
        "OrderPlaced",
        JSON.stringify({ region: "eu", order: { id } }),
      ]);
    }
    // Give a duplicate (no queue group) time to show up, then stop both.
    await new Promise((resolve) => setTimeout(resolve, 300));
    stop.abort();
    const printed = (await Promise.all(outputs)).flat().map((l) => l.event.order.id);
    // Each event printed once in all; without a queue group each member would print all four.
    expect(printed.sort()).toEqual(["q-1", "q-2", "q-3", "q-4"]);
  });

  it("decodes whatever typed events arrive on a subject, by their type header", async () => {
    const sub = await listening(["orders.>", "--count", "1"]);
    await runCli([
      ...bus.args,
      "publish",
      "OrderShipped",
      '{"orderId":"s-0","region":"apac","carrier":"ship"}',
    ]);
    expect(lines((await sub.done).out)).toEqual([
      {
        subject: "orders.apac.shipped",
        type: "example.orders.v1.OrderShipped",
        event: { orderId: "s-0", region: "apac", carrier: "ship" },
      },
    ]);
  });

  it("replays a durable event published before the subscriber existed (--since all)", async () => {
    for (const orderId of ["s-1", "s-2"]) {
      const published = await runCli([
        ...bus.args,
        "publish",
        "OrderShipped",
        JSON.stringify({ orderId, region: "eu" }),
      ]);
      expect(published.out).toContain("(stored in JetStream)");
    }
    const { status, out } = await runCli([
      ...bus.args,
      "--json",
      "subscribe",
      "OrderShipped",
      "--token",
      "region=eu",
      "--since",
      "all",
      "--count",
      "2",
    ]);
    expect(status).toBe(0);
    expect(lines(out).map((l) => l.event.orderId)).toEqual(["s-1", "s-2"]);
  });

  it("refuses a bad token value, a message that is no event, and --since on a core event", async () => {
    const token = await runCli([...bus.args, "publish", "OrderPlaced", '{"region":"e.u"}']);
    expect(token.status).toBe(Code.InvalidArgument);
    expect(token.err).toContain('{region} = "e.u" cannot be a subject token');
    const notEvent = await runCli([...bus.args, "publish", "LineItem", "{}"]);
    expect(notEvent.status).toBe(Code.InvalidArgument);
    expect(notEvent.err).toContain("example.orders.v1.LineItem is a message but not an event");
    const since = await runCli([...bus.args, "subscribe", "OrderPlaced", "--since", "10m"]);
    expect(since.status).toBe(Code.InvalidArgument);
  });
});

describe("protonats watch", () => {
  it("prints instances coming up, going down and expiring", async () => {
    const ready = waitForText((err) => err.includes("watching"));
    const stop = new AbortController();
    let out = "";
    const run = runCli([...bus.args, "--json", "watch", "example.greeter.v1.Greeter"], {
      onStderr: ready.feed,
      onStdout: (text) => {
        out = text;
      },
      signal: stop.signal,
    });
    await ready.seen;
    const rt = (nc: Awaited<ReturnType<typeof bus.connection>>) =>
      natsRuntime(nc, { namespace: bus.namespace, registry: fastRegistry });
    const b = await serve(rt(await bus.connection()), [defineGreeter(greeter("B"))], {
      id: "node-b",
    });
    await b.stop();
    const ncC = await bus.connection();
    await serve(rt(ncC), [defineGreeter(greeter("C"))], { id: "node-c" });
    await ncC.close(); // a crash: no deregistration, its heartbeats stop
    await until(() => out.includes('"event":"expired"') && out.includes("node-c"));
    stop.abort();
    const { status } = await run;
    expect(status).toBe(0);
    expect(
      lines(out)
        .filter((l) => l.node === "node-b" || l.node === "node-c")
        .map((l) => `${l.event} ${l.node}`),
    ).toEqual(["up node-b", "down node-b", "up node-c", "expired node-c"]);
  });

  it("stops cleanly on Ctrl-C in a real process", async () => {
    const ready = waitForText((err) => err.includes("watching"));
    const child = spawnCli([...bus.args, "watch"], { onStderr: ready.feed });
    await ready.seen;
    child.kill("SIGINT");
    const { status } = await child.done;
    expect(status).toBe(0);
  });
});

describe("protonats stats and ping", () => {
  it("shows $SRV figures of protonats services and answers from plain ADR-32 services", async () => {
    await runCli([...bus.args, "call", "Greeter/SayHello", '{"name":"Ada"}']);
    await runCli([...bus.args, "call", "Greeter/SayHello", '{"name":""}']);
    const stats = await runCli([...bus.args, "--json", "stats", "example.greeter.v1.Greeter"]);
    const sayHello = lines(stats.out).find((l) => l.endpoint === "SayHello");
    expect(sayHello).toMatchObject({
      service: "example.greeter.v1.Greeter",
      lastError: "400:name is required",
    });
    expect(sayHello.requests).toBeGreaterThanOrEqual(2);
    expect(sayHello.errors).toBeGreaterThanOrEqual(1);

    const ping = await runCli([...bus.args, "ping"]);
    expect(ping.status).toBe(0);
    expect(ping.out).toMatch(/^example\.greeter\.v1\.Greeter +\S+ +1\.0\.0 +[\d.]+ ms$/m);
    expect(ping.out).toMatch(/^legacy-echo +\S+ +0\.3\.0 +[\d.]+ ms$/m);
  });
});

describe("reflection through the descriptor endpoint", () => {
  it("an instance answers with its service's FileDescriptorSet", async () => {
    const nc = await bus.connection();
    const reply = await nc.request(descriptorSubject(bus.namespace, "example.greeter.v1.Greeter"));
    const files = createFileRegistry(fromBinary(FileDescriptorSetSchema, reply.data));
    expect(files.getService("example.greeter.v1.Greeter")?.methods.map((m) => m.name)).toEqual([
      "SayHello",
      "SayHelloStream",
      "SayHelloToAll",
      "Chat",
    ]);
  });

  it("describe and call work when the registry record carries no descriptors", async () => {
    const namespace = `${bus.namespace}_bare`;
    const nc = await bus.connection();
    const served = natsRuntime(nc, { namespace, registry: fastRegistry });
    const server = await serve(served, [defineGreeter(greeter("bare"))]);
    bus.servers.push(server);
    // Re-register the same node without descriptors, as when they exceed max_payload.
    const [info] = await served.registry.getService("example.greeter.v1.Greeter");
    if (!info) throw new Error("not registered");
    const { fileDescriptors: _, ...bare } = info;
    await served.registry.register(bare);
    const args = ["--server", bus.nats.url, "--namespace", namespace];
    const described = await runCli([...args, "describe", "Greeter"]);
    expect(described.status).toBe(0);
    expect(described.out).toContain(
      "rpc Chat(stream SayHelloRequest) returns (stream SayHelloResponse);",
    );
    const called = await runCli([...args, "call", "Greeter/SayHello", '{"name":"Ada"}']);
    expect(JSON.parse(called.out)).toEqual({ message: "Hello, Ada!", servedBy: "bare" });
  });

  it("a peer's malformed descriptors fail as data_loss and leave ls working", async () => {
    const namespace = `${bus.namespace}_evil`;
    const rt = natsRuntime(await bus.connection(), { namespace, registry: fastRegistry });
    try {
      await rt.registry.register({
        name: "evil.v1.Evil",
        version: "1.0.0",
        metadata: {},
        endpoints: [],
        nodes: [
          {
            id: "evil-1",
            address: serviceAddress(namespace, "evil.v1.Evil", "evil-1"),
            metadata: {},
          },
        ],
        fileDescriptors: new Uint8Array([0xff, 0xff, 0xff]),
      });
      const args = ["--server", bus.nats.url, "--namespace", namespace];
      const described = await runCli([...args, "describe", "evil.v1.Evil"]);
      expect(described.status).toBe(Code.DataLoss);
      expect(described.err).toContain("descriptors of evil.v1.Evil are unusable");
      const listed = await runCli([...args, "ls"]);
      expect(listed.out).toMatch(/^evil\.v1\.Evil +1\.0\.0 +protonats +1 *$/m);
    } finally {
      await rt.registry.close();
    }
  });
});

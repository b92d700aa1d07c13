import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../runtime/client/create-client.js";
import { natsRuntime } from "../../runtime/nats/nats-runtime.js";
import { defineService } from "../../runtime/server/define-service.js";
import { serve } from "../../runtime/server/serve.js";
import type { Server } from "../../runtime/server/server.js";
import { Greeter, greeterHandlers } from "./support/greeter.js";
import { type NatsFixture, natsFixture } from "./support/nats.js";

describe("unary calls over NATS", () => {
  let nats: NatsFixture;
  let serverConn: NatsConnection;
  let clientConn: NatsConnection;
  const servers: Server[] = [];

  beforeAll(async () => {
    nats = await natsFixture();
    serverConn = await nats.connect();
    clientConn = await nats.connect();
    servers.push(await serve(serverConn, [defineService(Greeter, greeterHandlers("a"))]));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop({ graceMs: 0 })));
    await nats?.stop();
  });

  it("calls a service on another connection and gets its typed reply", async () => {
    const client = createClient(Greeter, clientConn);
    const res = await client.sayHello({ name: "Ada" });
    expect(res.message).toBe("Hello, Ada");
    expect(res.servedBy).toBe("a");
  });

  it("sends request headers and gets response headers and trailers", async () => {
    const client = createClient(Greeter, natsRuntime(clientConn));
    let header: Record<string, string> = {};
    let trailer: Record<string, string> = {};
    const res = await client.sayHello(
      { name: "Grace" },
      {
        headers: { greeting: "Hi" },
        onHeader: (h) => (header = { ...h }),
        onTrailer: (t) => (trailer = { ...t }),
      },
    );
    expect(res.message).toBe("Hi, Grace");
    expect(header["served-by"]).toBe("a");
    expect(trailer.cost).toBe("1");
  });
});

import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../runtime/client/create-client.js";
import { Code } from "../../runtime/errors/code.js";
import { defineService } from "../../runtime/server/define-service.js";
import { serve } from "../../runtime/server/serve.js";
import type { Server } from "../../runtime/server/server.js";
import { permissionedServerArgs } from "../harness/permissions.js";
import { Greeter, greeterHandlers } from "./support/greeter.js";
import { collect, expectCode, type NatsFixture, natsFixture } from "./support/nats.js";
import { Scopes } from "./support/scoped.js";

/** Service addresses are `<namespace>.pn.svc.<Service>.<id>`; the tests' namespaces are one token. */
const nodeAddresses = "*.pn.svc.>";

describe("NATS permission errors surface at once", () => {
  let nats: NatsFixture;
  let full: NatsConnection;
  let noServing: NatsConnection;
  let noCalling: NatsConnection;
  let noMicro: NatsConnection;
  const scopes = new Scopes();
  const servers: Server[] = [];

  beforeAll(async () => {
    nats = await natsFixture(
      permissionedServerArgs([
        { user: "full", password: "full" },
        { user: "no-serving", password: "p", subscribe: { deny: [nodeAddresses] } },
        { user: "no-calling", password: "p", publish: { deny: [nodeAddresses] } },
        { user: "no-micro", password: "p", subscribe: { deny: ["$SRV.>"] } },
      ]),
    );
    full = await nats.connect({ user: "full", pass: "full" });
    noServing = await nats.connect({ user: "no-serving", pass: "p" });
    noCalling = await nats.connect({ user: "no-calling", pass: "p" });
    noMicro = await nats.connect({ user: "no-micro", pass: "p" });
  });
  afterAll(async () => {
    try {
      await Promise.all(servers.map((s) => s.stop({ graceMs: 0 })));
      await scopes.close();
    } finally {
      await nats?.stop();
    }
  });

  it("serve() rejects PermissionDenied when it may not subscribe to its address", async () => {
    const [rt] = scopes.scope(noServing);
    const started = performance.now();
    const serving = serve(rt!, [defineService(Greeter, greeterHandlers("s"))]);
    serving.then((s) => servers.push(s)).catch(() => undefined);
    const error = await expectCode(serving, Code.PermissionDenied);
    expect(error.message).toMatch(/do not allow subscribing to ".*\.pn\.svc\./);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("serve() rejects PermissionDenied when it may not answer $SRV discovery", async () => {
    const [rt, crt] = scopes.scope(noMicro, full);
    const serving = serve(rt!, [defineService(Greeter, greeterHandlers("s"))]);
    serving.then((s) => servers.push(s)).catch(() => undefined);
    const error = await expectCode(serving, Code.PermissionDenied);
    expect(error.message).toMatch(/do not allow subscribing to "\$SRV\./);
    // Nothing was announced: no client finds the service.
    const listed = await crt!.registry.listServices();
    expect(listed.filter((s) => s.name === Greeter.typeName)).toEqual([]);
  });

  it("a call whose request publish is denied fails PermissionDenied at once, not at its deadline", async () => {
    const [srt, crt] = scopes.scope(full, noCalling);
    servers.push(await serve(srt!, [defineService(Greeter, greeterHandlers("s"))]));
    const client = createClient(Greeter, crt!);
    const started = performance.now();
    const error = await expectCode(
      client.sayHello({ name: "denied" }, { timeoutMs: 5000 }),
      Code.PermissionDenied,
    );
    expect(error.message).toMatch(/do not allow publishing to ".*\.pn\.svc\./);
    expect(performance.now() - started).toBeLessThan(1000);
    const streamStarted = performance.now();
    await expectCode(
      collect(client.sayHelloStream({ name: "denied", count: 1 }, { timeoutMs: 5000 })),
      Code.PermissionDenied,
    );
    expect(performance.now() - streamStarted).toBeLessThan(1000);
  });
});

import { readFileSync } from "node:fs";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OrderService } from "../../generated/example/orders/v1/orders_pb.js";
import { createClient } from "../../runtime/client/create-client.js";
import { natsRuntime } from "../../runtime/nats/nats-runtime.js";
import {
  clientPermissions,
  serverPermissions,
} from "../../runtime/nats/permissions/service-permissions.js";
import { registrySubjects } from "../../runtime/nats/registry/registry-subjects.js";
import type { ServiceInfo } from "../../runtime/registry/registry.js";
import { defineService } from "../../runtime/server/define-service.js";
import { serve } from "../../runtime/server/serve.js";
import type { Server } from "../../runtime/server/server.js";
import { serviceAddress } from "../../runtime/transport/subjects.js";
import { type AuthorizedNatsServer, startAuthorizedNatsServer } from "../harness/authorization.js";
import { startNatsServer } from "../harness/nats-server.js";
import { Greeter, greeterHandlers, sleep } from "../rpc/support/greeter.js";
import { exampleAuthorization } from "./permissions-example.js";

/*
 * The permission templates on a real nats-server: the server user serves the
 * greeter, the web user calls it, the intruder (allowed to serve another
 * service) and the web user try to take the greeter over and fail.
 */

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const password = "s3cret-for-tests";
const fast = { registry: { heartbeatIntervalMs: 100, ttlMs: 500 } };

describe("permission templates", () => {
  let nats: AuthorizedNatsServer;
  const servers: Server[] = [];
  let real: Server;
  /** Errors the server's and the web client's connections received (permission violations). */
  const violations: string[] = [];

  function recordErrors(nc: NatsConnection): void {
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === "error") violations.push(String(status.error));
      }
    })();
  }

  beforeAll(async () => {
    nats = await startAuthorizedNatsServer([
      { user: "greeter", password, permissions: serverPermissions([Greeter]) },
      { user: "intruder", password, permissions: serverPermissions([OrderService]) },
      {
        user: "web",
        password,
        permissions: clientPermissions([Greeter], { inboxPrefix: "_INBOX.web" }),
      },
      {
        user: "blind",
        password,
        permissions: clientPermissions([Greeter], { inboxPrefix: "_INBOX.blind", watch: false }),
      },
    ]);
    const nc = await nats.connectAs("greeter");
    recordErrors(nc);
    real = await serve(natsRuntime(nc, fast), [defineService(Greeter, greeterHandlers("real"))]);
    servers.push(real);
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop({ graceMs: 0 }).catch(() => undefined)));
    await nats?.stop();
  });

  /** Subscribes and resolves with the permission error, if the server refuses the subscription. */
  function refusedSubscription(nc: NatsConnection, subject: string): Promise<string> {
    return new Promise((resolve) => {
      nc.subscribe(subject, {
        callback: (err) => {
          if (err) resolve(err.message);
        },
      });
      setTimeout(() => resolve("allowed"), 1_000);
    });
  }

  /** `n` calls through a fresh client runtime of `user`; returns who answered each. */
  async function callsAs(
    user: string,
    n: number,
    watchConnection?: (nc: NatsConnection) => void,
  ): Promise<string[]> {
    const nc = await nats.connectAs(user, { inboxPrefix: `_INBOX.${user}` });
    watchConnection?.(nc);
    const client = createClient(Greeter, natsRuntime(nc, {}));
    const servedBy: string[] = [];
    for (let i = 0; i < n; i++) servedBy.push((await client.sayHello({ name: `c${i}` })).servedBy);
    return servedBy;
  }

  it("the server user serves without a single refused subject; the client user can call", async () => {
    const servedBy = await callsAs("web", 20, recordErrors);
    expect(new Set(servedBy)).toEqual(new Set(["real"]));
    const nc = await nats.connectAs("web", { inboxPrefix: "_INBOX.web" });
    recordErrors(nc);
    const rt = natsRuntime(nc, {});
    expect((await rt.registry.listServices()).map((s) => s.name)).toEqual([Greeter.typeName]);
    rt.registry.watch();
    await nc.flush();
    await sleep(100);
    expect(violations).toEqual([]);
  });

  it("another server user can neither serve, announce, answer for nor deregister the service", async () => {
    const nc = await nats.connectAs("intruder");
    const rt = natsRuntime(nc, {});
    // Serving the greeter: its subscriptions and announcements are refused.
    const impostor = await serve(rt, [defineService(Greeter, greeterHandlers("intruder"))]).catch(
      () => undefined,
    );
    if (impostor) servers.push(impostor);
    const subjects = registrySubjects(undefined);
    expect(await refusedSubscription(nc, serviceAddress(undefined, Greeter.typeName, "*"))).toMatch(
      /Permissions Violation/,
    );
    expect(await refusedSubscription(nc, subjects.get(Greeter.typeName))).toMatch(
      /Permissions Violation/,
    );
    const [record] = await natsRuntime(
      await nats.connectAs("web", { inboxPrefix: "_INBOX.web" }),
      {},
    ).registry.getService(Greeter.typeName);
    const forged: ServiceInfo = {
      ...record!,
      nodes: [
        { id: "evil", address: serviceAddress(undefined, Greeter.typeName, "evil"), metadata: {} },
      ],
    };
    nc.publish(
      subjects.watch(Greeter.typeName),
      json({ op: "register", registry: "evil", ttl: 15_000, service: forged }),
    );
    nc.publish(
      subjects.watch(Greeter.typeName),
      json({
        op: "deregister",
        name: Greeter.typeName,
        version: record!.version,
        nodes: [{ id: real.id, key: "x" }],
      }),
    );
    await nc.flush();
    await sleep(100);
    const servedBy = await callsAs("web", 50);
    console.log(
      `with permissions: ${servedBy.filter((s) => s !== "real").length} of 50 calls answered by the intruder`,
    );
    expect(new Set(servedBy)).toEqual(new Set(["real"]));
  });

  it("the client user cannot serve the service", async () => {
    const nc = await nats.connectAs("web", { inboxPrefix: "_INBOX.web" });
    expect(await refusedSubscription(nc, serviceAddress(undefined, Greeter.typeName, "*"))).toMatch(
      /Permissions Violation/,
    );
    const impostor = await serve(natsRuntime(nc, {}), [
      defineService(Greeter, greeterHandlers("web")),
    ]).catch(() => undefined);
    if (impostor) servers.push(impostor);
    const servedBy = await callsAs("web", 30);
    expect(new Set(servedBy)).toEqual(new Set(["real"]));
  });

  it("a client without the watch permission keeps finding the live service by asking", async () => {
    const nc = await nats.connectAs("blind", { inboxPrefix: "_INBOX.blind" });
    const rt = natsRuntime(nc, {});
    const client = createClient(Greeter, rt);
    expect((await client.sayHello({ name: "first" })).servedBy).toBe("real");
    // Past the node's TTL (500 ms): no heartbeat ever reached this client.
    await sleep(1_200);
    expect((await client.sayHello({ name: "later" })).servedBy).toBe("real");
    const [found] = await rt.registry.getService(Greeter.typeName);
    expect(found?.nodes.map((n) => n.id)).toEqual([real.id]);
  });

  it("the committed example block is the rendered one, and nats-server accepts it", async () => {
    const file = new URL(
      "../../runtime/nats/permissions/example-authorization.conf",
      import.meta.url,
    );
    expect(readFileSync(file, "utf8")).toBe(exampleAuthorization());
    const example = await startNatsServer({ args: ["-c", file.pathname] });
    await example.stop();
  });
});

import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { DurationSchema } from "@bufbuild/protobuf/wkt";
import { headers as natsHeaders } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { OrderService } from "../../generated/example/orders/v1/orders_pb.js";
import { createClient } from "../../runtime/client/create-client.js";
import { Code } from "../../runtime/errors/code.js";
import { errorDetail, RpcError } from "../../runtime/errors/rpc-error.js";
import type { defineService } from "../../runtime/server/define-service.js";
import { serviceAddress } from "../../runtime/transport/subjects.js";
import { natsSuite } from "../support/nats-suite.js";
import { serveGreeter } from "../support/served-greeter.js";
import { Greeter, type greeterHandlers, sleep } from "./support/greeter.js";
import { expectCode } from "./support/nats.js";

const maxPayload = 16 * 1024;

describe("unary errors reach the client with their codes", () => {
  const suite = natsSuite({
    clientConnection: true,
    args: () => {
      const config = join(tmpdir(), `protonats-maxpayload-${process.pid}.conf`);
      writeFileSync(config, `max_payload: ${maxPayload}\n`);
      return ["-c", config];
    },
  });

  /** A greeter server (handlers overridable) and a client, in a namespace of their own. */
  async function setup(
    overrides: Partial<ReturnType<typeof greeterHandlers>> = {},
    serviceOptions: Parameters<typeof defineService>[2] = {},
  ) {
    const served = await serveGreeter(suite, { overrides, serviceOptions });
    return { ...served, client: createClient(Greeter, served.crt) };
  }

  it("a thrown RpcError arrives with code, message, details and metadata", async () => {
    const { client } = await setup({
      async sayHello() {
        throw new RpcError(Code.FailedPrecondition, "not today: 100% sure", {
          metadata: { "retry-hint": "tomorrow" },
          details: [errorDetail(DurationSchema, { seconds: 86400n })],
        });
      },
    });
    const e = await expectCode(client.sayHello({ name: "x" }), Code.FailedPrecondition);
    expect(e.rawMessage).toBe("not today: 100% sure");
    expect(e.metadata["retry-hint"]).toBe("tomorrow");
    expect(e.findDetails(DurationSchema)).toEqual([create(DurationSchema, { seconds: 86400n })]);
  });

  it("any other throw becomes Internal 'internal error' with nothing of the original", async () => {
    const { client } = await setup();
    const e = await expectCode(client.sayHello({ name: "crash" }), Code.Internal);
    expect(e.rawMessage).toBe("internal error");
    expect(JSON.stringify({ m: e.message, md: e.metadata, d: e.details })).not.toMatch(
      /secret|at /,
    );
  });

  it("an unknown method is Unimplemented; another service's method at a service's address is PermissionDenied", async () => {
    const { server } = await setup();
    const call = async (method: string) => {
      const h = natsHeaders();
      h.set("Pn-Method", method);
      const reply = await suite.clientConn.request(
        server.addressOf(Greeter.typeName),
        new Uint8Array(0),
        { headers: h, timeout: 2_000 },
      );
      return reply.headers?.get("Pn-Status");
    };
    expect(await call("/example.greeter.v1.Greeter/NoSuchMethod")).toBe(String(Code.Unimplemented));
    // A user allowed to call the greeter must not reach other services through its address.
    expect(await call(`/${OrderService.typeName}/PlaceOrder`)).toBe(String(Code.PermissionDenied));
  });

  it("a service nobody serves is NotFound", async () => {
    const [crt] = suite.scope(suite.clientConn);
    await expectCode(createClient(Greeter, crt!).sayHello({ name: "x" }), Code.NotFound);
  });

  it("a node that is gone (no responders) is Unavailable", async () => {
    const [crt] = suite.scope(suite.clientConn);
    await crt!.registry.register({
      name: Greeter.typeName,
      version: "1",
      metadata: {},
      endpoints: [],
      nodes: [
        {
          id: "ghost",
          address: serviceAddress(crt!.namespace, Greeter.typeName, "ghost"),
          metadata: {},
        },
      ],
    });
    const e = await expectCode(
      createClient(Greeter, crt!).sayHello({ name: "x" }),
      Code.Unavailable,
    );
    expect(e.rawMessage).toContain("no responders");
  });

  it("a closed NATS connection is Unavailable", async () => {
    await setup();
    const nc = await suite.nats.connect();
    const [crt] = suite.scope(nc);
    await crt!.registry.register({
      name: Greeter.typeName,
      version: "1",
      metadata: {},
      endpoints: [],
      nodes: [
        { id: "s", address: serviceAddress(crt!.namespace, Greeter.typeName, "s"), metadata: {} },
      ],
    });
    const client = createClient(Greeter, crt!);
    await nc.close();
    await expectCode(client.sayHello({ name: "x" }), Code.Unavailable);
  });

  it("a deadline passes: DeadlineExceeded on the client, the handler's signal aborts", async () => {
    let aborted: unknown;
    const { client, records } = await setup({
      async sayHello(_req, ctx) {
        await sleep(2_000, ctx.signal).catch((reason) => {
          aborted = reason;
        });
        return { message: "late" };
      },
    });
    const started = Date.now();
    await expectCode(client.sayHello({ name: "x" }, { timeoutMs: 150 }), Code.DeadlineExceeded);
    expect(Date.now() - started).toBeLessThan(1_000);
    await sleep(100);
    expect((aborted as RpcError).code).toBe(Code.DeadlineExceeded);
    expect(records.at(-1)?.code).toBe(Code.DeadlineExceeded);
  });

  it("an aborted signal: Canceled on the client, the handler's signal aborts", async () => {
    let aborted: unknown;
    const { client } = await setup({
      async sayHello(_req, ctx) {
        await sleep(2_000, ctx.signal).catch((reason) => {
          aborted = reason;
        });
        return { message: "late" };
      },
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await expectCode(client.sayHello({ name: "x" }, { signal: controller.signal }), Code.Canceled);
    await sleep(100);
    expect((aborted as RpcError).code).toBe(Code.Canceled);
  });

  it("a malformed reply is Internal with a clear message", async () => {
    const [crt] = suite.scope(suite.clientConn);
    const at = (id: string) => serviceAddress(crt!.namespace, Greeter.typeName, id);
    const bogus = suite.clientConn.subscribe(at("bogus-node"), {
      callback: (_e, m) => {
        m.respond(new Uint8Array([0xff, 0xff, 0xff]));
      },
    });
    const badHeader = suite.clientConn.subscribe(at("bogus-header"), {
      callback: (_e, m) => {
        const h = natsHeaders();
        h.set("Pn-Frame", "teleport");
        m.respond(new Uint8Array(0), { headers: h });
      },
    });
    try {
      for (const id of ["bogus-node", "bogus-header"]) {
        await crt!.registry.register({
          name: Greeter.typeName,
          version: id,
          metadata: {},
          endpoints: [],
          nodes: [{ id, address: at(id), metadata: {} }],
        });
        const client = createClient(Greeter, crt!, { version: id });
        const e = await expectCode(client.sayHello({ name: "x" }), Code.Internal);
        expect(e.rawMessage).toMatch(/^malformed reply: /);
      }
    } finally {
      bogus.unsubscribe();
      badHeader.unsubscribe();
    }
  });

  it("a request above the server's max_payload is ResourceExhausted before sending", async () => {
    const { client, records } = await setup();
    const e = await expectCode(
      client.sayHello({ name: "x".repeat(maxPayload + 1) }),
      Code.ResourceExhausted,
    );
    expect(e.rawMessage).toContain(`max_payload of ${maxPayload}`);
    expect(records).toHaveLength(0);
  });

  it("a response above max_payload is ResourceExhausted from the server", async () => {
    const { client } = await setup({
      async sayHello() {
        return { message: "y".repeat(maxPayload + 1) };
      },
    });
    const e = await expectCode(client.sayHello({ name: "x" }), Code.ResourceExhausted);
    expect(e.rawMessage).toContain("response of");
  });

  it("headers with the reserved Pn- prefix are refused with InvalidArgument", async () => {
    const { client } = await setup();
    await expectCode(
      client.sayHello({ name: "x" }, { headers: { "Pn-Status": "0" } }),
      Code.InvalidArgument,
    );
  });

  it("an unknown content type or malformed body is InvalidArgument", async () => {
    const { server } = await setup();
    const h = natsHeaders();
    h.set("Pn-Method", "/example.greeter.v1.Greeter/SayHello");
    h.set("Pn-Content-Type", "application/json");
    const reply = await suite.clientConn.request(
      server.addressOf(Greeter.typeName),
      new TextEncoder().encode("{}"),
      {
        headers: h,
        timeout: 2_000,
      },
    );
    expect(reply.headers?.get("Pn-Status")).toBe(String(Code.InvalidArgument));
    expect(decodeURIComponent(reply.headers?.get("Pn-Message") ?? "")).toContain("content type");

    const h2 = natsHeaders();
    h2.set("Pn-Method", "/example.greeter.v1.Greeter/SayHello");
    const garbage = await suite.clientConn.request(
      server.addressOf(Greeter.typeName),
      new Uint8Array([0xff, 0xff]),
      {
        headers: h2,
        timeout: 2_000,
      },
    );
    expect(garbage.headers?.get("Pn-Status")).toBe(String(Code.InvalidArgument));
    expect(garbage.headers?.get("Nats-Service-Error-Code")).toBe("400");
  });

  it("calls beyond the service's concurrency limit fail fast with ResourceExhausted", async () => {
    const { client } = await setup({}, { maxConcurrentCalls: 2 });
    const slow = [client.sayHello({ name: "slow:400" }), client.sayHello({ name: "slow:400" })];
    await sleep(50);
    const started = Date.now();
    const e = await expectCode(client.sayHello({ name: "x" }), Code.ResourceExhausted);
    expect(Date.now() - started).toBeLessThan(200);
    expect(e.rawMessage).toContain("limit of 2");
    await Promise.all(slow);
    expect((await client.sayHello({ name: "after" })).message).toBe("Hello, after");
  });

  it("nothing a handler does takes the server down", async () => {
    const { client } = await setup();
    await expectCode(client.sayHello({ name: "crash" }), Code.Internal);
    await expectCode(client.sayHello({ name: "" }), Code.InvalidArgument);
    expect((await client.sayHello({ name: "still here" })).message).toBe("Hello, still here");
  });
});

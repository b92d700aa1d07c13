import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { connect, headers, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  SayHelloRequestSchema,
  SayHelloResponseSchema,
} from "../../generated/example/greeter/v1/greeter_pb.js";
import { natsRuntime } from "../../runtime/nats/nats-runtime.js";
import { defineService } from "../../runtime/server/define-service.js";
import { serve } from "../../runtime/server/serve.js";
import type { Server } from "../../runtime/server/server.js";
import { type NatsServerProcess, startNatsServer } from "../harness/nats-server.js";
import { Greeter, greeterHandlers } from "../rpc/support/greeter.js";

const endpoint = `${Greeter.typeName}.SayHello`;

function body(name: string): Uint8Array {
  return toBinary(SayHelloRequestSchema, create(SayHelloRequestSchema, { name }));
}

describe("a stopping instance and the shared micro endpoint", () => {
  let nats: NatsServerProcess;
  const conns: NatsConnection[] = [];
  let tool: NatsConnection;
  let a: Server;
  let b: Server;

  beforeAll(async () => {
    nats = await startNatsServer();
    for (let i = 0; i < 3; i++) conns.push(await connect({ servers: nats.url }));
    tool = conns[2] as NatsConnection;
    a = await serve(natsRuntime(conns[0] as NatsConnection), [
      defineService(Greeter, greeterHandlers("a")),
    ]);
    b = await serve(natsRuntime(conns[1] as NatsConnection), [
      defineService(Greeter, greeterHandlers("b")),
    ]);
  });
  afterAll(async () => {
    await a?.stop({ graceMs: 0 });
    await b?.stop({ graceMs: 0 });
    for (const nc of conns) await nc.close();
    await nats?.stop();
  });

  it("leaves the queue group first: while its calls finish, the other instance takes the endpoint", async () => {
    // A call in progress on `a` keeps it in its grace period.
    const h = headers();
    h.set("Pn-Method", `/${Greeter.typeName}/SayHello`);
    const slow = tool.request(a.addressOf(Greeter.typeName), body("slow:1500"), {
      timeout: 5000,
      headers: h,
    });
    await new Promise((r) => setTimeout(r, 100));
    const stopping = a.stop({ graceMs: 5000 });
    await new Promise((r) => setTimeout(r, 300));
    const servedBy: string[] = [];
    for (let i = 0; i < 20; i++) {
      const reply = await tool.request(endpoint, body(`n${i}`), { timeout: 2000 });
      expect(reply.headers?.get("Pn-Status") ?? "").toBe("");
      servedBy.push(fromBinary(SayHelloResponseSchema, reply.data).servedBy);
    }
    expect(new Set(servedBy)).toEqual(new Set(["b"]));
    const finished = await slow;
    expect(fromBinary(SayHelloResponseSchema, finished.data).message).toBe("Hello, slow:1500");
    await stopping;
  });
});

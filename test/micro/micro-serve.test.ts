import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Svcm } from "@nats-io/services";
import { connect, type NatsConnection, NoRespondersError } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createGreeterClient,
  defineGreeter,
} from "../../generated/example/greeter/v1/greeter_nats.js";
import {
  SayHelloRequestSchema,
  SayHelloResponseSchema,
} from "../../generated/example/greeter/v1/greeter_pb.js";
import { Code } from "../../runtime/errors/code.js";
import { RpcError } from "../../runtime/errors/rpc-error.js";
import type { MicroEndpointStats } from "../../runtime/nats/micro/micro-responses.js";
import { serve } from "../../runtime/server/serve.js";
import type { Server } from "../../runtime/server/server.js";
import { type NatsServerProcess, startNatsServer } from "../harness/nats-server.js";
import { expectInfoResponse, expectPingResponse, expectStatsResponse } from "./micro-schema.js";

const microName = "example-greeter-v1-Greeter";

const greeter = defineGreeter({
  sayHello(req) {
    if (req.name === "") throw new RpcError(Code.InvalidArgument, "name is required");
    return { message: `Hello, ${req.name}`, servedBy: "micro" };
  },
  async *sayHelloStream() {},
  async sayHelloToAll() {
    return {};
  },
  async *chat() {},
});

async function ask(nc: NatsConnection, subject: string): Promise<Record<string, unknown>[]> {
  const bodies: Record<string, unknown>[] = [];
  try {
    const replies = await nc.requestMany(subject, "", {
      strategy: "stall",
      stall: 50,
      maxWait: 2000,
    });
    for await (const msg of replies) {
      if (msg.data.length > 0) bodies.push(msg.json<Record<string, unknown>>());
    }
  } catch (err) {
    if (!(err instanceof NoRespondersError)) throw err;
  }
  return bodies;
}

describe("a served protonats service as NATS micro tooling sees it", () => {
  let nats: NatsServerProcess;
  let serverConn: NatsConnection;
  let tool: NatsConnection;
  let server: Server;

  beforeAll(async () => {
    nats = await startNatsServer();
    serverConn = await connect({ servers: nats.url });
    tool = await connect({ servers: nats.url });
    server = await serve(serverConn, [greeter]);
  });
  afterAll(async () => {
    await server?.stop({ graceMs: 0 });
    await serverConn?.close();
    await tool?.close();
    await nats?.stop();
  });

  it("is listed by ping and info with its unary endpoints", async () => {
    const [ping] = await ask(tool, `$SRV.PING.${microName}`);
    expectPingResponse(ping);
    expect(ping).toMatchObject({ name: microName, id: server.id, version: "1.0.0" });
    expect(ping?.metadata).toMatchObject({ "pn.service": "example.greeter.v1.Greeter" });

    const [info] = await ask(tool, `$SRV.INFO.${microName}.${server.id}`);
    expectInfoResponse(info);
    expect(info?.endpoints).toEqual([
      {
        name: "SayHello",
        subject: "example.greeter.v1.Greeter.SayHello",
        queue_group: "q",
        metadata: {},
      },
    ]);
  });

  it("answers a plain NATS request on the endpoint subject, as `nats req` sends it", async () => {
    const body = toBinary(SayHelloRequestSchema, create(SayHelloRequestSchema, { name: "req" }));
    const reply = await tool.request("example.greeter.v1.Greeter.SayHello", body, {
      timeout: 2000,
    });
    expect(fromBinary(SayHelloResponseSchema, reply.data).message).toBe("Hello, req");
  });

  it("counts calls and errors from typed clients and plain requests in $SRV.STATS", async () => {
    const before = await statsOfSayHello();
    const client = createGreeterClient(tool);
    for (const name of ["a", "b", "c"]) await client.sayHello({ name });
    await expect(client.sayHello({ name: "" })).rejects.toMatchObject({
      code: Code.InvalidArgument,
    });
    const plain = toBinary(SayHelloRequestSchema, create(SayHelloRequestSchema, { name: "" }));
    const failed = await tool.request("example.greeter.v1.Greeter.SayHello", plain, {
      timeout: 2000,
    });
    expect(failed.headers?.get("Nats-Service-Error-Code")).toBe("400");

    const after = await statsOfSayHello();
    expect(after.num_requests - before.num_requests).toBe(5);
    expect(after.num_errors - before.num_errors).toBe(2);
    expect(after.last_error).toBe("400:name is required");
    expect(after.processing_time).toBeGreaterThan(before.processing_time);
    expect(after.average_processing_time).toBe(
      Math.floor(after.processing_time / after.num_requests),
    );
  });

  it("is seen by the @nats-io/services client", async () => {
    const client = new Svcm(tool as unknown as ConstructorParameters<typeof Svcm>[0]).client({
      strategy: "stall",
      stall: 50,
      maxWait: 2000,
    });
    const seen: string[] = [];
    for await (const s of await client.stats(microName)) {
      seen.push(
        `${s.id}:${(s.endpoints ?? []).map((e) => `${e.name}=${e.num_requests}`).join(",")}`,
      );
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(new RegExp(`^${server.id}:SayHello=\\d+$`));
  });

  async function statsOfSayHello(): Promise<MicroEndpointStats> {
    const [stats] = await ask(tool, `$SRV.STATS.${microName}.${server.id}`);
    expectStatsResponse(stats);
    const endpoints = stats?.endpoints as Record<string, unknown>[];
    const sayHello = endpoints.find((e) => e.name === "SayHello");
    expect(sayHello).toBeDefined();
    // Shape checked by expectStatsResponse above.
    return sayHello as unknown as MicroEndpointStats;
  }
});

import { Svcm } from "@nats-io/services";
import { connect, type NatsConnection, NoRespondersError } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Code } from "../../runtime/errors/code.js";
import { microServiceName } from "../../runtime/nats/micro/micro-naming.js";
import {
  type MicroResponder,
  type MicroServiceInfo,
  startMicroResponder,
} from "../../runtime/nats/micro/micro-responder.js";
import { type NatsServerProcess, startNatsServer } from "../harness/nats-server.js";
import { expectInfoResponse, expectPingResponse, expectStatsResponse } from "./micro-schema.js";

const fullName = "example.greeter.v1.Greeter";
const microName = "example-greeter-v1-Greeter";

function greeterInfo(id: string, overrides: Partial<MicroServiceInfo> = {}): MicroServiceInfo {
  return {
    name: fullName,
    version: "1.2.3",
    id,
    metadata: { region: "eu" },
    description: "Says hello",
    endpoints: [
      {
        name: "SayHello",
        subject: `${fullName}.SayHello`,
        queueGroup: "q",
        metadata: { request: "example.greeter.v1.SayHelloRequest" },
      },
      { name: "Shout", subject: `${fullName}.Shout`, queueGroup: "q", metadata: {} },
    ],
    ...overrides,
  };
}

/** Every answer to a `$SRV` request within a short quiet window. */
async function ask(
  nc: NatsConnection,
  subject: string,
  maxWait = 2000,
): Promise<Record<string, unknown>[]> {
  const bodies: Record<string, unknown>[] = [];
  try {
    const replies = await nc.requestMany(subject, "", {
      strategy: "stall",
      stall: 50,
      maxWait,
    });
    for await (const msg of replies) {
      if (msg.data.length > 0) bodies.push(msg.json<Record<string, unknown>>());
    }
  } catch (err) {
    // Nobody subscribes to the subject: no answer, as for `nats micro`.
    if (!(err instanceof NoRespondersError)) throw err;
  }
  return bodies;
}

/**
 * `@nats-io/services` ships its own copy of nats-core, whose NatsConnection
 * type differs only nominally from ours; the object is the same.
 */
function svcm(nc: NatsConnection): Svcm {
  return new Svcm(nc as unknown as ConstructorParameters<typeof Svcm>[0]);
}

describe("NATS micro responder ($SRV)", () => {
  let server: NatsServerProcess;
  let nc: NatsConnection;
  let tool: NatsConnection;
  const responders: MicroResponder[] = [];
  const start = (info: MicroServiceInfo) => {
    const r = startMicroResponder(nc, info);
    responders.push(r);
    return r;
  };

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    // The tooling side: another connection, as `nats micro` would be.
    tool = await connect({ servers: server.url });
  });
  afterEach(async () => {
    await Promise.all(responders.splice(0).map((r) => r.stop()));
  });
  afterAll(async () => {
    await nc?.close();
    await tool?.close();
    await server?.stop();
  });

  it("maps a protobuf service name to a valid micro name", () => {
    expect(microServiceName(fullName)).toBe(microName);
    expect(microServiceName("my_pkg.v2.Order_Service")).toBe("my_pkg-v2-Order_Service");
  });

  it("answers PING, INFO and STATS in all three scopes with schema-valid bodies", async () => {
    const r = start(greeterInfo("node1"));
    await nc.flush();
    expect(r.microName).toBe(microName);
    for (const scope of ["", `.${microName}`, `.${microName}.node1`]) {
      const [ping] = await ask(tool, `$SRV.PING${scope}`);
      expectPingResponse(ping);
      expect(ping).toEqual({
        type: "io.nats.micro.v1.ping_response",
        name: microName,
        id: "node1",
        version: "1.2.3",
        metadata: { region: "eu", "pn.service": fullName },
      });

      const [info] = await ask(tool, `$SRV.INFO${scope}`);
      expectInfoResponse(info);
      expect(info?.description).toBe("Says hello");
      expect(info?.endpoints).toEqual([
        {
          name: "SayHello",
          subject: `${fullName}.SayHello`,
          queue_group: "q",
          metadata: { request: "example.greeter.v1.SayHelloRequest" },
        },
        { name: "Shout", subject: `${fullName}.Shout`, queue_group: "q", metadata: {} },
      ]);

      const [stats] = await ask(tool, `$SRV.STATS${scope}`);
      expectStatsResponse(stats);
    }
  });

  it("does not answer for another name or id", async () => {
    start(greeterInfo("node1"));
    await nc.flush();
    expect(await ask(tool, "$SRV.PING.other-Service")).toEqual([]);
    expect(await ask(tool, `$SRV.PING.${microName}.node2`)).toEqual([]);
    // Unknown verbs reach our wildcard subscription but get no answer.
    expect(await ask(tool, "$SRV.NOPE", 300)).toEqual([]);
  });

  it("counts requests, errors and processing time from the server's call records", async () => {
    const r = start(greeterInfo("node1"));
    const record = (method: string, durationNs: number, code?: Code, errorMessage?: string) =>
      r.observer.callFinished({
        service: fullName,
        method,
        durationNs,
        code,
        errorMessage,
      });
    record("SayHello", 1000.4);
    record("SayHello", 2000);
    record("SayHello", 3000, Code.NotFound, "no such person");
    record("SayHello", 500, Code.InvalidArgument, "name is required");
    record("Shout", 7);
    // Not endpoints of this service: ignored.
    record("Chat", 99);
    r.observer.callFinished({
      service: "example.orders.v1.OrderService",
      method: "SayHello",
      durationNs: 5,
      code: undefined,
      errorMessage: undefined,
    });
    await nc.flush();
    const [stats] = await ask(tool, `$SRV.STATS.${microName}`);
    expectStatsResponse(stats);
    const endpoints = stats?.endpoints as Record<string, unknown>[];
    expect(endpoints[0]).toMatchObject({
      name: "SayHello",
      subject: `${fullName}.SayHello`,
      num_requests: 4,
      num_errors: 2,
      last_error: "400:name is required",
      processing_time: 6500,
      average_processing_time: 1625,
    });
    expect(endpoints[1]).toMatchObject({
      name: "Shout",
      num_requests: 1,
      num_errors: 0,
      last_error: "",
      processing_time: 7,
      average_processing_time: 7,
    });
  });

  it("reports a version that is not semver as 0.0.0 and keeps the original in metadata", async () => {
    start(greeterInfo("node1", { version: "v1" }));
    await nc.flush();
    const [ping] = await ask(tool, "$SRV.PING");
    expectPingResponse(ping);
    expect(ping?.version).toBe("0.0.0");
    expect(ping?.metadata).toMatchObject({ "pn.version": "v1" });
  });

  it("is seen by the @nats-io/services client: ping, info and stats", async () => {
    start(greeterInfo("node1"));
    start(greeterInfo("node2"));
    start({ ...greeterInfo("o1"), name: "example.orders.v1.OrderService", endpoints: [] });
    await nc.flush();
    const client = svcm(tool).client({ strategy: "stall", stall: 100, maxWait: 2000 });

    const pinged: string[] = [];
    for await (const p of await client.ping()) pinged.push(`${p.name}/${p.id}`);
    expect(pinged.sort()).toEqual([
      `${microName}/node1`,
      `${microName}/node2`,
      "example-orders-v1-OrderService/o1",
    ]);

    const infos: string[] = [];
    for await (const i of await client.info(microName)) {
      infos.push(`${i.id}:${i.endpoints.map((e) => `${e.name}@${e.subject}`).join(",")}`);
    }
    expect(infos.sort()).toEqual([
      `node1:SayHello@${fullName}.SayHello,Shout@${fullName}.Shout`,
      `node2:SayHello@${fullName}.SayHello,Shout@${fullName}.Shout`,
    ]);

    const stats: number[] = [];
    for await (const s of await client.stats(microName, "node2")) {
      stats.push(s.endpoints?.length ?? 0);
      expect(s.started).toMatch(/^\d{4}-/);
    }
    expect(stats).toEqual([2]);
  });

  it("coexists with a service built with @nats-io/services", async () => {
    const native = await svcm(nc).add({ name: "native", version: "0.1.0" });
    try {
      start(greeterInfo("node1"));
      await nc.flush();
      const names = (await ask(tool, "$SRV.PING")).map((p) => p.name).sort();
      expect(names).toEqual([microName, "native"]);
    } finally {
      await native.stop();
    }
  });

  it("stops answering once stopped", async () => {
    const r = startMicroResponder(nc, greeterInfo("gone"));
    await nc.flush();
    expect(await ask(tool, `$SRV.PING.${microName}.gone`)).toHaveLength(1);
    await r.stop();
    expect(await ask(tool, `$SRV.PING.${microName}.gone`)).toEqual([]);
  });
});

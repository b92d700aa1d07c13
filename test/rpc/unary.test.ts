import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { beforeAll, describe, expect, it } from "vitest";
import {
  SayHelloRequestSchema,
  SayHelloResponseSchema,
} from "../../generated/example/greeter/v1/greeter_pb.js";
import { createClient } from "../../runtime/client/create-client.js";
import type { RetryContext } from "../../runtime/client/retry-policy.js";
import { type CallOutcome, RoundRobinSelector } from "../../runtime/client/selector.js";
import { Code } from "../../runtime/errors/code.js";
import type { RpcError } from "../../runtime/errors/rpc-error.js";
import type { AnyResponse, Interceptor } from "../../runtime/interceptor.js";
import { natsRuntime } from "../../runtime/nats/nats-runtime.js";
import type { ServiceNode } from "../../runtime/registry/registry.js";
import { noRetry } from "../../runtime/retry/standard-retry-policy.js";
import { defineService } from "../../runtime/server/define-service.js";
import { serve } from "../../runtime/server/serve.js";
import { serviceAddress } from "../../runtime/transport/subjects.js";
import { natsSuite } from "../support/nats-suite.js";
import { Greeter, greeterHandlers, greeterWith, sleep } from "./support/greeter.js";
import { collect, expectCode } from "./support/nats.js";

/** Calls `see` as each message of a streaming response passes through an interceptor. */
function tapMessages(res: AnyResponse, see: () => void): void {
  if (!res.stream) return;
  const inner = res.messages;
  res.messages = (async function* () {
    for await (const m of inner) {
      see();
      yield m;
    }
  })();
}

describe("unary calls over NATS", () => {
  const suite = natsSuite({ clientConnection: true });

  beforeAll(async () => {
    suite.servers.push(await serve(suite.conn, [defineService(Greeter, greeterHandlers("a"))]));
  });

  it("calls a service on another connection and gets its typed reply", async () => {
    const client = createClient(Greeter, suite.clientConn);
    const res = await client.sayHello({ name: "Ada" });
    expect(res.message).toBe("Hello, Ada");
    expect(res.servedBy).toBe("a");
  });

  it("makes no subscription per call: 200 calls in flight add none on the NATS server", async () => {
    const client = createClient(Greeter, suite.clientConn);
    await client.sayHello({ name: "warm-up" });
    const subscriptions = async () => {
      const res = await fetch(`http://127.0.0.1:${suite.nats.server.monitorPort}/subsz`);
      return ((await res.json()) as { num_subscriptions: number }).num_subscriptions;
    };
    const before = await subscriptions();
    const calls = Array.from({ length: 200 }, () => client.sayHello({ name: "slow:300" }));
    await sleep(100);
    const during = await subscriptions();
    await Promise.all(calls);
    expect(during).toBe(before);
  });

  it("sends request headers and gets response headers and trailers", async () => {
    const client = createClient(Greeter, natsRuntime(suite.clientConn));
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

  it("spreads calls over the nodes of a service in turn", async () => {
    const [s1, s2, crt] = suite.scope(suite.conn, suite.conn, suite.clientConn);
    suite.servers.push(await serve(s1!, [defineService(Greeter, greeterHandlers("one"))]));
    suite.servers.push(await serve(s2!, [defineService(Greeter, greeterHandlers("two"))]));
    const client = createClient(Greeter, crt!);
    const servedBy: string[] = [];
    for (let i = 0; i < 10; i++) servedBy.push((await client.sayHello({ name: "x" })).servedBy);
    expect(servedBy.filter((s) => s === "one")).toHaveLength(5);
    expect(servedBy.filter((s) => s === "two")).toHaveLength(5);
    for (let i = 1; i < servedBy.length; i++) expect(servedBy[i]).not.toBe(servedBy[i - 1]);
  });

  it("answers plain NATS requests on the micro endpoint subject, errors in Nats-Service-Error", async () => {
    const [srt] = suite.scope(suite.conn);
    suite.servers.push(await serve(srt!, [defineService(Greeter, greeterHandlers("micro"))]));
    const subject = `${srt!.namespace}.example.greeter.v1.Greeter.SayHello`;
    const reply = await suite.clientConn.request(
      subject,
      toBinary(SayHelloRequestSchema, create(SayHelloRequestSchema, { name: "nats req" })),
      { timeout: 2_000 },
    );
    expect(fromBinary(SayHelloResponseSchema, reply.data).message).toBe("Hello, nats req");
    const failed = await suite.clientConn.request(subject, new Uint8Array(0), { timeout: 2_000 });
    expect(failed.headers?.get("Nats-Service-Error-Code")).toBe("400");
    expect(failed.headers?.get("Nats-Service-Error")).toBe("name is required");
    expect(failed.headers?.get("Pn-Status")).toBe(String(Code.InvalidArgument));
  });

  it("answers NATS micro discovery ($SRV) with its endpoints and live stats", async () => {
    const [srt, crt] = suite.scope(suite.conn, suite.clientConn);
    const server = await serve(srt!, [defineService(Greeter, greeterHandlers("srv"))]);
    suite.servers.push(server);
    const client = createClient(Greeter, crt!);
    await client.sayHello({ name: "x" });
    await expectCode(client.sayHello({ name: "" }), Code.InvalidArgument);
    const name = "example-greeter-v1-Greeter";
    const info = (
      await suite.clientConn.request(`$SRV.INFO.${name}.${server.id}`, undefined, {
        timeout: 2_000,
      })
    ).json<{ id: string; version: string; endpoints: { name: string; subject: string }[] }>();
    expect(info.id).toBe(server.id);
    expect(info.version).toBe("1.0.0");
    expect(info.endpoints).toEqual([
      expect.objectContaining({
        name: "SayHello",
        subject: `${srt!.namespace}.example.greeter.v1.Greeter.SayHello`,
      }),
    ]);
    const stats = (
      await suite.clientConn.request(`$SRV.STATS.${name}.${server.id}`, undefined, {
        timeout: 2_000,
      })
    ).json<{ endpoints: { name: string; num_requests: number; num_errors: number }[] }>();
    expect(stats.endpoints.find((e) => e.name === "SayHello")).toMatchObject({
      num_requests: 2,
      num_errors: 1,
    });
  });

  it("interceptors on client and server see method, headers and each stream message", async () => {
    const [srt, crt] = suite.scope(suite.conn, suite.clientConn);
    const seen: string[] = [];
    const serverSide: Interceptor = (next) => async (req) => {
      seen.push(`server ${req.method.name} trace=${req.header.trace}`);
      const res = await next(req);
      res.header["seen-by-server"] = "yes";
      tapMessages(res, () => seen.push("server out"));
      return res;
    };
    suite.servers.push(
      await serve(srt!, [defineService(Greeter, greeterHandlers("i"))], {
        interceptors: [serverSide],
      }),
    );
    const clientSide: Interceptor = (next) => async (req) => {
      req.header.trace = "t-1";
      seen.push(`client ${req.method.name}`);
      const res = await next(req);
      tapMessages(res, () => seen.push("client in"));
      return res;
    };
    const client = createClient(Greeter, crt!, { interceptors: [clientSide] });
    let header: Record<string, string> = {};
    await client.sayHello({ name: "x" }, { onHeader: (h) => (header = { ...h }) });
    expect(header["seen-by-server"]).toBe("yes");
    expect(seen).toEqual(["client SayHello", "server SayHello trace=t-1"]);
    seen.length = 0;
    await collect(client.sayHelloStream({ name: "x", count: 2 }));
    expect(seen.filter((s) => s === "server out")).toHaveLength(2);
    expect(seen.filter((s) => s === "client in")).toHaveLength(2);
    expect(seen[0]).toBe("client SayHelloStream");
  });

  it("a retry policy moves a call off a dead node; the selector hears every outcome", async () => {
    const [srt, crt] = suite.scope(suite.conn, suite.clientConn);
    suite.servers.push(await serve(srt!, [defineService(Greeter, greeterHandlers("alive"))]));
    await crt!.registry.register({
      name: Greeter.typeName,
      version: "1.0.0",
      metadata: {},
      endpoints: [],
      nodes: [
        {
          id: "dead",
          address: serviceAddress(srt!.namespace, Greeter.typeName, "dead"),
          metadata: {},
        },
      ],
    });
    const outcomes: [string, CallOutcome][] = [];
    const retries: RetryContext[] = [];
    class Recording extends RoundRobinSelector {
      onCallEnd(node: ServiceNode, outcome: CallOutcome) {
        outcomes.push([node.id, outcome]);
      }
    }
    const client = createClient(Greeter, crt!, {
      selector: new Recording(),
      retry: {
        nextDelayMs(ctx) {
          retries.push(ctx);
          return ctx.undelivered && ctx.attempt < 3 ? 0 : undefined;
        },
      },
    });
    for (let i = 0; i < 4; i++) {
      expect((await client.sayHello({ name: "x" })).servedBy).toBe("alive");
    }
    const dead = outcomes.filter(([id]) => id === "dead");
    // Round robin sends some first attempts to the dead node; each was retried.
    expect(dead.length).toBeGreaterThan(0);
    expect(dead.length).toBe(retries.length);
    for (const [, o] of dead)
      expect(o).toMatchObject({ code: Code.Unavailable, undelivered: true });
    expect(retries.every((r) => r.idempotent && r.undelivered && r.attempt === 1)).toBe(true);
    // With retries off, the same failure reaches the caller.
    const plain = createClient(Greeter, crt!, { retry: noRetry });
    const codes = await Promise.all(
      [0, 1, 2, 3].map(() =>
        plain.sayHello({ name: "x" }).then(
          () => "ok",
          (e: RpcError) => e.code,
        ),
      ),
    );
    expect(codes).toContain(Code.Unavailable);
    expect(codes).toContain("ok");
  });

  it("the deadline travels A → B → C: every hop stops when the first caller's budget ends", async () => {
    const [bServer, aClient] = suite.scope(suite.conn, suite.clientConn);
    const [cServer, bClient] = suite.scope(suite.conn, suite.conn);
    const seen: { hop: string; budget: number; reason?: Code }[] = [];
    suite.servers.push(
      await serve(cServer!, [
        defineService(
          Greeter,
          greeterWith("c", {
            async sayHello(_req, ctx) {
              const entry: (typeof seen)[number] = { hop: "c", budget: ctx.timeRemaining() };
              seen.push(entry);
              await sleep(5_000, ctx.signal).catch((e: RpcError) => (entry.reason = e.code));
              return { message: "too late" };
            },
          }),
        ),
      ]),
    );
    const toC = createClient(Greeter, bClient!);
    suite.servers.push(
      await serve(bServer!, [
        defineService(
          Greeter,
          greeterWith("b", {
            async sayHello(req, ctx) {
              const entry: (typeof seen)[number] = { hop: "b", budget: ctx.timeRemaining() };
              seen.push(entry);
              await sleep(50);
              try {
                return await toC.sayHello(req, {
                  timeoutMs: ctx.timeRemaining(),
                  signal: ctx.signal,
                });
              } catch (e) {
                entry.reason = (e as RpcError).code;
                throw e;
              }
            },
          }),
        ),
      ]),
    );
    const started = Date.now();
    await expectCode(
      createClient(Greeter, aClient!).sayHello({ name: "x" }, { timeoutMs: 400 }),
      Code.DeadlineExceeded,
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    await sleep(150);
    const b = seen.find((s) => s.hop === "b")!;
    const c = seen.find((s) => s.hop === "c")!;
    expect(b.budget).toBeLessThanOrEqual(400);
    expect(c.budget).toBeLessThanOrEqual(b.budget - 40);
    expect(c.reason).toBe(Code.DeadlineExceeded);
    expect(b.reason).toBe(Code.DeadlineExceeded);
  });
});

import { Svcm } from "@nats-io/services";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll } from "vitest";
import { greeter } from "../../demo/services/greeter.js";
import { orderService } from "../../demo/services/orders.js";
import { defineGreeter } from "../../generated/example/greeter/v1/greeter_nats.js";
import { SayHelloResponseSchema } from "../../generated/example/greeter/v1/greeter_pb.js";
import { defineOrderService } from "../../generated/example/orders/v1/orders_nats.js";
import { Code } from "../../runtime/errors/code.js";
import { errorDetail, RpcError } from "../../runtime/errors/rpc-error.js";
import { type NatsRuntime, natsRuntime } from "../../runtime/nats/nats-runtime.js";
import { serve } from "../../runtime/server/serve.js";
import type { Server } from "../../runtime/server/server.js";
import { type NatsServerProcess, startNatsServer } from "../harness/nats-server.js";

/** Fast heartbeats, so that `watch` sees an instance expire within about a second. */
export const fastRegistry = { heartbeatIntervalMs: 200, ttlMs: 1000, sweepIntervalMs: 200 };

/** The demo's services on a JetStream nats-server, plus a plain ADR-32 service, for a test file. */
export interface DemoBus {
  readonly nats: NatsServerProcess;
  /** The runtime serving the demo's greeter and order service. */
  readonly runtime: NatsRuntime;
  readonly namespace: string;
  /** `--server <url> --namespace <ns> --timeout 3000` */
  readonly args: string[];
  /** A new connection, closed after all. */
  connection(): Promise<NatsConnection>;
  /** Servers to stop after all. */
  readonly servers: Server[];
}

/** The demo greeter, plus names that make it slow, fail with a detail, or echo a header. */
function testGreeter() {
  const base = greeter("A");
  return defineGreeter({
    ...base,
    async sayHello(request, context) {
      if (request.name === "slow") await new Promise((resolve) => setTimeout(resolve, 2000));
      if (request.name === "detailed") {
        throw new RpcError(Code.FailedPrecondition, "not today", {
          details: [errorDetail(SayHelloResponseSchema, { message: "try tomorrow" })],
        });
      }
      if (request.name === "header") {
        return { message: `x-who=${context.requestHeader["x-who"]}`, servedBy: "A" };
      }
      return base.sayHello(request, context);
    },
  });
}

/** Registers `beforeAll`/`afterAll` that start and stop the bus. */
export function demoBus(): DemoBus {
  let nats: NatsServerProcess | undefined;
  let runtime: NatsRuntime | undefined;
  const connections: NatsConnection[] = [];
  const servers: Server[] = [];
  const namespace = `cli${Math.random().toString(36).slice(2, 8)}`;
  const connection = async () => {
    if (!nats) throw new Error("demoBus: not started");
    const nc = await connect({ servers: nats.url });
    connections.push(nc);
    return nc;
  };

  beforeAll(async () => {
    nats = await startNatsServer({ jetstream: true });
    runtime = natsRuntime(await connection(), { namespace, registry: fastRegistry });
    servers.push(await serve(runtime, [testGreeter(), defineOrderService(orderService(runtime))]));
    // @nats-io/services pins its own nats-core copy; the connection is the same at runtime.
    const micro = new Svcm(
      (await connection()) as unknown as ConstructorParameters<typeof Svcm>[0],
    );
    const svc = await micro.add({ name: "legacy-echo", version: "0.3.0" });
    svc.addEndpoint("echo", (_err, msg) => msg.respond(msg.data));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop({ graceMs: 0 })));
    await Promise.all(connections.map((nc) => (nc.isClosed() ? undefined : nc.close())));
    await nats?.stop();
  });

  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("demoBus: not started");
    return value;
  };
  return {
    get nats() {
      return started(nats);
    },
    get runtime() {
      return started(runtime);
    },
    namespace,
    get args() {
      return ["--server", started(nats).url, "--namespace", namespace, "--timeout", "3000"];
    },
    connection,
    servers,
  };
}

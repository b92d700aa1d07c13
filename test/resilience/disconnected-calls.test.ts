import { connect, type NatsConnection, nuid } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGreeterClient } from "../../generated/example/greeter/v1/greeter_nats.js";
import { Code } from "../../runtime/errors/code.js";
import { RpcError } from "../../runtime/errors/rpc-error.js";
import { type NatsRuntime, natsRuntime } from "../../runtime/nats/nats-runtime.js";
import { defineService } from "../../runtime/server/define-service.js";
import { serve } from "../../runtime/server/serve.js";
import type { Server } from "../../runtime/server/server.js";
import { type NatsServerProcess, startNatsServer } from "../harness/nats-server.js";
import { Greeter, greeterHandlers } from "../rpc/support/greeter.js";
import { pause } from "./support/orders.js";
import { fastRegistry } from "./support/registry-settings.js";

const reconnecting = {
  reconnectTimeWait: 100,
  reconnectJitter: 0,
  maxReconnectAttempts: -1,
  noAsyncTraces: true,
} as const;

/** How a call ended and after how long. */
async function timed(p: Promise<unknown>): Promise<{ ms: number; error: RpcError | undefined }> {
  const started = Date.now();
  try {
    await p;
    return { ms: Date.now() - started, error: undefined };
  } catch (error) {
    if (!(error instanceof RpcError)) throw error;
    return { ms: Date.now() - started, error };
  }
}

async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  const until = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await pause(10);
  }
}

describe("calls while the NATS connection is down", () => {
  let nats: NatsServerProcess;
  const connections: NatsConnection[] = [];
  const runtimes: NatsRuntime[] = [];
  const servers: Server[] = [];
  let clientConn: NatsConnection;
  let client: ReturnType<typeof createGreeterClient>;
  let down = false;

  beforeAll(async () => {
    nats = await startNatsServer();
    const serverConn = await connect({ servers: nats.url, ...reconnecting });
    clientConn = await connect({ servers: nats.url, ...reconnecting });
    connections.push(serverConn, clientConn);
    const namespace = `d${nuid.next().slice(-10).toLowerCase()}`;
    const serverRuntime = natsRuntime(serverConn, { namespace, registry: fastRegistry });
    const clientRuntime = natsRuntime(clientConn, { namespace, registry: fastRegistry });
    runtimes.push(serverRuntime, clientRuntime);
    servers.push(
      await serve(serverRuntime, [defineService(Greeter, greeterHandlers("s"))], { id: "s" }),
    );
    client = createGreeterClient(clientRuntime);
    await client.sayHello({ name: "warm" });
    void (async () => {
      for await (const s of clientConn.status()) {
        if (s.type === "disconnect") down = true;
        if (s.type === "reconnect") down = false;
      }
    })();
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop({ graceMs: 0 }).catch(() => undefined)));
    for (const r of runtimes) await r.registry.close().catch(() => undefined);
    await Promise.all(connections.map((nc) => (nc.isClosed() ? undefined : nc.close())));
    await nats?.stop();
  });

  it("fail Unavailable at once by default, and wait for the reconnect with waitForReady", async () => {
    await nats.kill();
    await waitUntil(() => down, "the client to see the disconnect");

    const unary = await timed(client.sayHello({ name: "a" }));
    const stream = await timed(
      (async () => {
        for await (const _ of client.sayHelloStream({ name: "b", count: 1 })) {
          // drain
        }
      })(),
    );
    const waiting = timed(client.sayHello({ name: "c" }, { waitForReady: true }));
    const waitingStream = timed(
      (async () => {
        let n = 0;
        for await (const _ of client.sayHelloStream(
          { name: "d", count: 3 },
          { waitForReady: true },
        ))
          n++;
        expect(n).toBe(3);
      })(),
    );
    await pause(500);
    await nats.restart();
    const waited = await waiting;
    const waitedStream = await waitingStream;

    console.info(
      `[disconnected] unary ${unary.error?.code} after ${unary.ms} ms, stream ${stream.error?.code} after ${stream.ms} ms; ` +
        `waitForReady: unary ${waited.error?.message ?? "ok"} after ${waited.ms} ms, stream ${waitedStream.error?.message ?? "ok"}`,
    );
    expect(unary.error?.code).toBe(Code.Unavailable);
    expect(unary.ms).toBeLessThan(300);
    expect(stream.error?.code).toBe(Code.Unavailable);
    expect(stream.ms).toBeLessThan(300);
    expect(waited.error).toBeUndefined();
    expect(waitedStream.error).toBeUndefined();
  });

  it("a call in flight when the connection drops fails Unavailable soon, or with waitForReady completes after the reconnect", async () => {
    const inFlight = timed(client.sayHello({ name: "slow:600" }));
    const waiting = timed(client.sayHello({ name: "slow:600" }, { waitForReady: true }));
    await pause(100);
    const killedAt = Date.now();
    await nats.kill();
    const failed = await inFlight;
    const failedAfter = Date.now() - killedAt;
    await pause(700);
    await nats.restart();
    const waited = await waiting;
    console.info(
      `[in flight at a disconnect] ${failed.error?.message} ${failedAfter} ms after the kill; waitForReady: ${waited.error?.message ?? "ok"} after ${waited.ms} ms`,
    );
    expect(failed.error?.code).toBe(Code.Unavailable);
    expect(failedAfter).toBeLessThan(1_000);
    expect(waited.error).toBeUndefined();
    await waitUntil(() => !down, "the reconnect");
  });

  it("a waiting call still ends at its deadline", async () => {
    await nats.kill();
    await waitUntil(() => down, "the client to see the disconnect");
    try {
      const r = await timed(client.sayHello({ name: "e" }, { waitForReady: true, timeoutMs: 300 }));
      expect(r.error?.code).toBe(Code.DeadlineExceeded);
      expect(r.ms).toBeLessThan(1_000);
    } finally {
      await nats.restart();
    }
    await waitUntil(() => !down, "the reconnect");
  });

  it("when the connection closes for good, everything pending fails Unavailable at once", async () => {
    const nc = await connect({ servers: nats.url, ...reconnecting });
    const runtime = natsRuntime(nc, { namespace: `x${nuid.next().slice(-8).toLowerCase()}` });
    const greeter = createGreeterClient(runtime);
    let gone = false;
    void (async () => {
      for await (const s of nc.status()) if (s.type === "disconnect") gone = true;
    })();
    await nats.kill();
    await waitUntil(() => gone, "the disconnect");
    const pending = [
      timed(greeter.sayHello({ name: "f" }, { waitForReady: true })),
      timed(greeter.sayHello({ name: "g" }, { waitForReady: true, timeoutMs: 20_000 })),
    ];
    await pause(100);
    const closedAt = Date.now();
    await nc.close();
    const results = await Promise.all(pending);
    await runtime.registry.close().catch(() => undefined);
    await nats.restart();
    expect(results.map((r) => r.error?.code)).toEqual([Code.Unavailable, Code.Unavailable]);
    expect(Date.now() - closedAt).toBeLessThan(500);
  });
});

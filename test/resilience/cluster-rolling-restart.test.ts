import { connect, type NatsConnection, nuid } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NatsRuntime, natsRuntime } from "../../runtime/nats/nats-runtime.js";
import { serve } from "../../runtime/server/serve.js";
import type { Server } from "../../runtime/server/server.js";
import { type NatsServerProcess, startNatsCluster } from "../harness/nats-server.js";
import {
  type ActiveStreams,
  failures,
  MixedLoad,
  released,
  slowGreeter,
  summary,
} from "./support/mixed-load.js";
import { pause } from "./support/orders.js";
import { fastRegistry } from "./support/registry-settings.js";

const heartbeatMs = 1_000;

describe("a rolling restart of a 3-node NATS cluster", () => {
  let cluster: NatsServerProcess[] = [];
  const connections: NatsConnection[] = [];
  const runtimes: NatsRuntime[] = [];
  const servers: Server[] = [];

  beforeAll(async () => {
    cluster = await startNatsCluster(3);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop({ graceMs: 0 }).catch(() => undefined)));
    for (const r of runtimes) await r.registry.close().catch(() => undefined);
    await Promise.all(connections.map((nc) => (nc.isClosed() ? undefined : nc.close())));
    await Promise.all(cluster.map((n) => n.stop()));
  });

  it("every call and stream settles and idempotent calls succeed while each node restarts in turn", async () => {
    const urls = cluster.map((n) => n.url);
    const options = {
      noRandomize: true,
      // Failing over to another node takes a moment, as it does in production
      // (nats.js waits between dial attempts): what is published meanwhile is lost.
      reconnectDelayHandler: () => 400,
      maxReconnectAttempts: -1,
      noAsyncTraces: true,
    };
    // The server starts on the first node, the client on the last: calls cross a route.
    const serverConn = await connect({ servers: urls, ...options });
    const clientConn = await connect({ servers: [...urls].reverse(), ...options });
    connections.push(serverConn, clientConn);
    const namespace = `rr${nuid.next().slice(-10).toLowerCase()}`;
    const serverRuntime = natsRuntime(serverConn, { namespace, registry: fastRegistry });
    const clientRuntime = natsRuntime(clientConn, { namespace, registry: fastRegistry });
    runtimes.push(serverRuntime, clientRuntime);
    const active: ActiveStreams = { count: 0 };
    servers.push(await serve(serverRuntime, [slowGreeter("s", active)], { id: "s" }));

    const outageMs = 1_000;
    const until = Date.now() + 600 + cluster.length * (outageMs + 1_000);
    // Streams send a message every 2 ms, so that frames are in transit when a node dies.
    // The server's own connection fails over with each node it sits on (~10 ms, longer on a
    // busy machine); without waitForReady a call in that gap gets "no responders" and its
    // retries (at once, then within 0-100 ms) may all fall in it. waitForReady is the
    // documented way to wait such a gap out, and the single-node restart test uses it too.
    const load = new MixedLoad(clientRuntime, until, 1_500, { heartbeatMs, waitForReady: true }, 2);
    const discoverable = Date.now() + 3_000;
    for (;;) {
      try {
        await load.client.sayHello({ name: "warm" });
        break;
      } catch (error) {
        if (Date.now() > discoverable) throw error;
        await pause(50);
      }
    }
    load.start({ unary: 6, serverStream: 4, clientStream: 2, bidi: 4 });
    await pause(600);
    for (const node of cluster) {
      await node.kill();
      await pause(outageMs);
      await node.restart();
      await pause(1_000);
    }
    const unsettled = await load.settle(until - Date.now() + 4 * heartbeatMs + 1_000);
    // The server let go of every stream too (its handlers ended).
    const stillRunning = await released(active, 4 * heartbeatMs);
    const outcomes = load.outcomes;
    const failedIdempotent = outcomes.filter((o) => o.kind === "unary" && o.ended && o.error);
    const slowestStream = Math.max(
      ...outcomes.filter((o) => o.kind !== "unary").map((o) => (o.ended || Date.now()) - o.started),
    );
    console.info(
      `[rolling restart] ${summary(outcomes)}; unsettled ${unsettled.length}, server streams still running ${stillRunning}; ` +
        `failed idempotent unary ${failedIdempotent.length}; slowest stream ${slowestStream} ms`,
      failures(outcomes).slice(0, 12),
    );
    expect(unsettled).toEqual([]);
    expect(stillRunning).toBe(0);
    expect(outcomes.filter((o) => o.foreign !== undefined)).toEqual([]);
    expect(failedIdempotent.map((o) => o.error?.message)).toEqual([]);
  });
});

import { connect, type NatsConnection, nuid } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  OrderPlacedEvent,
  OrderShippedEvent,
} from "../../generated/example/orders/v1/orders_nats.js";
import type { BrokerSubscription } from "../../runtime/broker/broker.js";
import { RpcError } from "../../runtime/errors/rpc-error.js";
import { type NatsRuntime, natsRuntime } from "../../runtime/nats/nats-runtime.js";
import { serve } from "../../runtime/server/serve.js";
import type { Server } from "../../runtime/server/server.js";
import { type NatsServerProcess, startNatsServer } from "../harness/nats-server.js";
import {
  type ActiveStreams,
  failures,
  MixedLoad,
  released,
  type Settled,
  slowGreeter,
  summary,
} from "./support/mixed-load.js";
import { pause } from "./support/orders.js";
import { fastRegistry } from "./support/registry-settings.js";

/** Reconnect at once and forever, as a service in production would. */
const reconnecting = {
  reconnectTimeWait: 100,
  reconnectJitter: 0,
  maxReconnectAttempts: -1,
  noAsyncTraces: true,
} as const;
const heartbeatMs = 1_000;

describe("a single nats-server restarts under load", () => {
  let nats: NatsServerProcess;
  const connections: NatsConnection[] = [];
  const runtimes: NatsRuntime[] = [];
  const servers: Server[] = [];
  const subscriptions: BrokerSubscription[] = [];

  beforeAll(async () => {
    nats = await startNatsServer({ jetstream: true });
  });
  afterAll(async () => {
    for (const s of subscriptions) await s.unsubscribe().catch(() => undefined);
    await Promise.all(servers.map((s) => s.stop({ graceMs: 0 }).catch(() => undefined)));
    for (const r of runtimes) await r.registry.close().catch(() => undefined);
    await Promise.all(connections.map((nc) => (nc.isClosed() ? undefined : nc.close())));
    await nats?.stop();
  });

  it.each([1_000, 3_000])(
    "down for %i ms: every call and stream settles, idempotent calls succeed, durable events arrive once",
    async (outageMs) => {
      const serverConn = await connect({ servers: nats.url, ...reconnecting });
      const clientConn = await connect({ servers: nats.url, ...reconnecting });
      connections.push(serverConn, clientConn);
      const namespace = `r${nuid.next().slice(-10).toLowerCase()}`;
      const serverRuntime = natsRuntime(serverConn, { namespace, registry: fastRegistry });
      const clientRuntime = natsRuntime(clientConn, { namespace, registry: fastRegistry });
      runtimes.push(serverRuntime, clientRuntime);
      const active: ActiveStreams = { count: 0 };
      servers.push(await serve(serverRuntime, [slowGreeter("s", active)], { id: "s" }));

      // Durable events: each id is published until it is stored (same id: stored once).
      const deliveries = new Map<string, number>();
      subscriptions.push(
        await OrderShippedEvent.subscribe(
          serverRuntime,
          (e, ctx) => {
            if (process.env.PN_DEBUG) console.log("got", e.orderId, ctx.deliveryCount, ctx.headers);
            deliveries.set(e.orderId, (deliveries.get(e.orderId) ?? 0) + 1);
          },
          { queue: "billing" },
        ),
      );
      const coreEvents: Settled[] = [];

      const until = Date.now() + 4_000;
      const load = new MixedLoad(clientRuntime, until, 2_000, { heartbeatMs, waitForReady: true });
      await load.client.sayHello({ name: "warm" });
      load.start();
      const published: string[] = [];
      const durable = (async () => {
        for (let i = 0; Date.now() < until; i++) {
          const orderId = `d${i}`;
          for (;;) {
            try {
              await OrderShippedEvent.publish(
                clientRuntime,
                { region: "eu", orderId },
                { messageId: `ship-${orderId}` },
              );
              break;
            } catch (error) {
              if (!(error instanceof RpcError)) throw error;
              await pause(100);
            }
          }
          published.push(orderId);
          await pause(20);
        }
      })();
      const core = (async () => {
        for (let i = 0; Date.now() < until; i++) {
          const o: Settled = { kind: "unary", started: Date.now(), ended: 0 };
          coreEvents.push(o);
          try {
            await OrderPlacedEvent.publish(clientRuntime, { region: "eu", order: { id: `p${i}` } });
          } catch (error) {
            if (error instanceof RpcError) o.error = error;
            else o.foreign = error;
          }
          o.ended = Date.now();
          await pause(20);
        }
      })();

      await pause(800);
      const killedAt = Date.now();
      await nats.kill();
      await pause(outageMs);
      await nats.restart();
      const backAt = Date.now();

      const unsettled = await load.settle(until - Date.now() + 4 * heartbeatMs + 1_000);
      await Promise.race([Promise.all([durable, core]), pause(3_000)]);
      // Durable: everything stored arrives, exactly once.
      const waitUntil = Date.now() + 5_000;
      while (published.some((id) => !deliveries.has(id)) && Date.now() < waitUntil) await pause(50);

      // The server let go of every stream too (its handlers ended).
      const stillRunning = await released(active, 4 * heartbeatMs);
      const outcomes = load.outcomes;
      const failedIdempotent = outcomes.filter((o) => o.kind === "unary" && o.ended && o.error);
      const acrossOutage = outcomes.filter(
        (o) => o.kind !== "unary" && o.started < killedAt && (o.ended === 0 || o.ended > killedAt),
      );
      const streamEnd = Math.max(0, ...acrossOutage.map((o) => (o.ended || Date.now()) - backAt));
      const lost = published.filter((id) => !deliveries.has(id)).length;
      const duplicated = [...deliveries.values()].filter((n) => n > 1).length;
      console.info(
        `[restart ${outageMs} ms] ${summary(outcomes)}; unsettled ${unsettled.length}, server streams still running ${stillRunning}; ` +
          `failed idempotent unary ${failedIdempotent.length} ` +
          `slowest unary ${Math.max(...outcomes.filter((o) => o.kind === "unary").map((o) => (o.ended || Date.now()) - o.started))} ms ` +
          `(${[...new Set(failedIdempotent.map((o) => o.error?.code))].join(",")}); ` +
          `streams across the outage ${acrossOutage.length}, last ended ${streamEnd} ms after the server was back; ` +
          `core events unsettled ${coreEvents.filter((o) => !o.ended).length}; ` +
          `durable published ${published.length}, lost ${lost}, duplicated ${duplicated}`,
        failures(outcomes).slice(0, 12),
      );

      expect(unsettled).toEqual([]);
      expect(stillRunning).toBe(0);
      expect(coreEvents.filter((o) => !o.ended || o.foreign)).toEqual([]);
      expect(outcomes.filter((o) => o.foreign !== undefined)).toEqual([]);
      expect(failedIdempotent.map((o) => o.error?.message)).toEqual([]);
      expect(streamEnd).toBeLessThan(2 * heartbeatMs + 1_000);
      expect(lost).toBe(0);
      expect(duplicated).toBe(0);
    },
  );
});

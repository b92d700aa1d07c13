import { nuid } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import {
  createOrderServiceClient,
  defineOrderService,
} from "../../generated/example/orders/v1/orders_nats.js";
import type { RpcError } from "../../runtime/errors/rpc-error.js";
import { natsRuntime } from "../../runtime/nats/nats-runtime.js";
import { serve } from "../../runtime/server/serve.js";
import { natsSuite } from "../support/nats-suite.js";
import { startChild } from "./support/child-process.js";
import { orderHandlers, pause } from "./support/orders.js";
import { fastRegistry } from "./support/registry-settings.js";

describe("failover with default client settings", () => {
  const suite = natsSuite();

  it("SIGKILL of one of two instances under 64 calls in flight: no idempotent call fails, none waits long", async () => {
    const namespace = `k${nuid.next().slice(-10).toLowerCase()}`;
    const runtime = natsRuntime(suite.conn, { namespace, registry: fastRegistry });
    suite.cleanup(() => runtime.registry.close().catch(() => undefined));
    const child = await startChild("./order-server-process.ts", [
      suite.nats.server.url,
      namespace,
      "doomed",
      "50",
    ]);
    try {
      suite.servers.push(
        await serve(runtime, [defineOrderService(orderHandlers("survivor", 50))], {
          id: "survivor",
        }),
      );
      // Default settings but the deadline: the one the failure report used.
      const client = createOrderServiceClient(runtime, { timeoutMs: 5_000 });
      const seen = new Set<string>();
      for (let i = 0; i < 20 && seen.size < 2; i++) {
        seen.add((await client.getOrder({ id: `warm-${i}` })).customer);
      }
      expect(seen).toEqual(new Set(["doomed", "survivor"]));

      const durations: number[] = [];
      const failed: RpcError[] = [];
      const until = Date.now() + 2_000;
      const worker = async (w: number) => {
        for (let i = 0; Date.now() < until; i++) {
          const started = Date.now();
          try {
            await client.getOrder({ id: `w${w}-${i}` });
          } catch (error) {
            failed.push(error as RpcError);
          }
          durations.push(Date.now() - started);
        }
      };
      const load = Promise.all(Array.from({ length: 64 }, (_, w) => worker(w)));
      await pause(500);
      await child.kill();
      await load;
      const slowest = Math.max(...durations);
      console.info(
        `[sigkill failover] ${durations.length} calls, ${failed.length} failed ` +
          `(${[...new Set(failed.map((e) => e.message))].join("; ")}), slowest ${slowest} ms`,
      );
      expect(failed.map((e) => e.message)).toEqual([]);
      expect(slowest).toBeLessThan(1_500);
    } finally {
      await child.kill();
    }
  });
});

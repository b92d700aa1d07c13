import { describe, expect, it } from "vitest";
import {
  createOrderServiceClient,
  defineOrderService,
} from "../../generated/example/orders/v1/orders_nats.js";
import { PowerOfTwoChoicesSelector } from "../../runtime/balancing/power-of-two-choices.js";
import { natsRuntime } from "../../runtime/nats/nats-runtime.js";
import { serve } from "../../runtime/server/serve.js";
import { natsSuite } from "../support/nats-suite.js";
import { orderHandlers } from "./support/orders.js";
import { fastRegistry } from "./support/registry-settings.js";

describe("load balancing over NATS", () => {
  const suite = natsSuite();

  /** Runs `workers` loops of `GetOrder` for `ms`; counts answers per serving node. */
  async function load(
    client: ReturnType<typeof createOrderServiceClient>,
    workers: number,
    ms: number,
  ): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    const until = Date.now() + ms;
    await Promise.all(
      Array.from({ length: workers }, async (_, w) => {
        for (let i = 0; Date.now() < until; i++) {
          const order = await client.getOrder({ id: `${w}-${i}` });
          counts[order.customer] = (counts[order.customer] ?? 0) + 1;
        }
      }),
    );
    return counts;
  }

  it("power of two choices sends most calls to the fast node; round robin splits them evenly", async () => {
    const runtime = natsRuntime(suite.conn, { namespace: "balancing", registry: fastRegistry });
    suite.servers.push(
      await serve(runtime, [defineOrderService(orderHandlers("slow", 40))], { id: "slow" }),
      await serve(runtime, [defineOrderService(orderHandlers("fast", 2))], { id: "fast" }),
    );
    const p2c = createOrderServiceClient(runtime, { selector: new PowerOfTwoChoicesSelector() });
    const roundRobin = createOrderServiceClient(runtime);
    await p2c.getOrder({ id: "warm" });

    const balanced = await load(p2c, 6, 1_200);
    const total = (balanced.fast ?? 0) + (balanced.slow ?? 0);
    // With 6 calls in flight, the slow node keeps more of them pending and is passed over.
    expect(balanced.fast ?? 0).toBeGreaterThan(0.75 * total);
    expect(balanced.slow ?? 0).toBeGreaterThan(0);

    const even = await load(roundRobin, 6, 600);
    // Round robin alternates per call: the slow node answers almost half.
    expect(even.slow ?? 0).toBeGreaterThan(0.3 * ((even.fast ?? 0) + (even.slow ?? 0)));
    await runtime.registry.close();
  });
});

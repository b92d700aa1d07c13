import { describe, expect, it } from "vitest";
import {
  OrderPlacedEvent,
  OrderShippedEvent,
} from "../../generated/example/orders/v1/orders_nats.js";
import { createClient } from "../../runtime/client/create-client.js";
import { Code } from "../../runtime/errors/code.js";
import { natsRuntime } from "../../runtime/nats/nats-runtime.js";
import { defineService } from "../../runtime/server/define-service.js";
import { serve } from "../../runtime/server/serve.js";
import { Greeter, greeterHandlers } from "../rpc/support/greeter.js";
import { expectCode } from "../rpc/support/nats.js";
import { natsSuite } from "../support/nats-suite.js";

// Events read with `for await`, and `await using` for servers, subscriptions
// and runtimes.

describe("event subscriptions as async iterables", () => {
  const suite = natsSuite({ args: ["-js"] });

  it("yields events in order with their context; leaving the loop unsubscribes", async () => {
    const [rt] = suite.scope(suite.conn);
    const subscription = await OrderPlacedEvent.subscribe(rt!, { queue: "" });
    for (const id of ["1", "2", "3"]) {
      await OrderPlacedEvent.publish(rt!, { region: "eu", order: { id } });
    }
    const seen: string[] = [];
    for await (const { event, context } of subscription) {
      seen.push(`${event.order?.id}@${context.tokens.region}`);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual(["1@eu", "2@eu", "3@eu"]);
    // Unsubscribed: a new iteration ends at once.
    const after = await subscription[Symbol.asyncIterator]().next();
    expect(after.done).toBe(true);
  });

  it("acknowledges a durable event once the loop body for it finished", async () => {
    const [rt] = suite.scope(suite.conn);
    const subscription = await OrderShippedEvent.subscribe(rt!, { queue: "iter" });
    await OrderShippedEvent.publish(rt!, { region: "eu", orderId: "a", carrier: "c" });
    for await (const { event, context } of subscription) {
      expect(event.orderId).toBe("a");
      expect(context.deliveryCount).toBe(1);
      break;
    }
    // Acked: the same durable consumer does not get it again.
    const again = await OrderShippedEvent.subscribe(rt!, { queue: "iter" });
    await OrderShippedEvent.publish(rt!, { region: "eu", orderId: "b", carrier: "c" });
    for await (const { event } of again) {
      expect(event.orderId).toBe("b");
      break;
    }
  });

  it("unsubscribes a callback subscription with await using", async () => {
    const [rt] = suite.scope(suite.conn);
    const got: string[] = [];
    {
      await using _subscription = await OrderPlacedEvent.subscribe(
        rt!,
        (event) => {
          got.push(event.order?.id ?? "");
        },
        { queue: "" },
      );
      await OrderPlacedEvent.publish(rt!, { region: "eu", order: { id: "in" } });
      await suite.conn.flush();
      await new Promise((r) => setTimeout(r, 50));
    }
    await OrderPlacedEvent.publish(rt!, { region: "eu", order: { id: "out" } });
    await suite.conn.flush();
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toEqual(["in"]);
  });
});

describe("await using on servers and runtimes", () => {
  const suite = natsSuite();

  it("stops the server and closes the runtime at the end of the block", async () => {
    const namespace = `dispose_${Date.now()}`;
    const client = createClient(Greeter, natsRuntime(suite.conn, { namespace: `${namespace}` }));
    {
      await using runtime = natsRuntime(suite.conn, { namespace });
      await using _server = await serve(runtime, [defineService(Greeter, greeterHandlers("s"))]);
      expect((await client.sayHello({ name: "Ada" })).message).toBe("Hello, Ada");
    }
    await expectCode(client.sayHello({ name: "Ada" }, { timeoutMs: 2_000 }), Code.NotFound);
  });
});

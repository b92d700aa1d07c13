import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  OrderPlacedEvent,
  OrderShippedEvent,
} from "../../generated/example/orders/v1/orders_nats.js";
import { Code } from "../../runtime/errors/code.js";
import { natsSuite } from "../support/nats-suite.js";

// An event above the NATS server's max_payload fails like an oversized call:
// ResourceExhausted (it is not malformed, just too big for this server), for
// core and for durable events.

const maxPayload = 8 * 1024;

describe("events above max_payload", () => {
  const suite = natsSuite({
    args: () => {
      const config = join(tmpdir(), `protonats-event-maxpayload-${process.pid}.conf`);
      writeFileSync(config, `max_payload: ${maxPayload}\njetstream: enabled\n`);
      return ["-c", config];
    },
  });
  const big = "x".repeat(maxPayload + 1);

  it("a core event fails ResourceExhausted and names max_payload", async () => {
    const [rt] = suite.scope(suite.conn);
    const publishing = OrderPlacedEvent.publish(rt!, { region: "eu", order: { id: big } });
    await expect(publishing).rejects.toMatchObject({ code: Code.ResourceExhausted });
    await expect(publishing).rejects.toThrow(/max_payload/);
  });

  it("a durable event fails ResourceExhausted too", async () => {
    const [rt] = suite.scope(suite.conn);
    await expect(
      OrderShippedEvent.publish(rt!, { region: "eu", orderId: "1", carrier: big }),
    ).rejects.toMatchObject({ code: Code.ResourceExhausted });
  });

  it("an event just below the limit goes through", async () => {
    const [rt] = suite.scope(suite.conn);
    await OrderPlacedEvent.publish(rt!, {
      region: "eu",
      order: { id: "x".repeat(maxPayload / 2) },
    });
  });
});
